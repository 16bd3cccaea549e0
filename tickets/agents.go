package tickets

// AgentDirectory knows the desk's agents beyond Options.Agents: the people
// with a sign-in of their own (the web console's agents, kept in the store
// and managed with `refunddesk agents`). The service asks it about a name
// the configured list does not have, each time that name acts, so an agent
// added or disabled while the desk runs is taken or refused at once.
type AgentDirectory interface {
	// IsAgent reports whether name is one of the directory's agents and may
	// act (false for a disabled one).
	IsAgent(name string) (bool, error)
}
