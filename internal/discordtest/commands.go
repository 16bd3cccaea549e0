package discordtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// commandName is Discord's rule for command and option names.
var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func commandKey(guildID string, t discordgo.ApplicationCommandType, name string) string {
	return guildID + "\x00" + strconv.Itoa(int(t)) + "\x00" + name
}

// commandScope checks the application ID of a command route.
func (s *Server) commandScope(w http.ResponseWriter, r *http.Request) (guildID string, ok bool) {
	if r.PathValue("app") != s.cfg.AppID {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
		return "", false
	}
	return r.PathValue("guild"), true
}

func (s *Server) handleListCommands(w http.ResponseWriter, r *http.Request) {
	guild, ok := s.commandScope(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	b, _ := json.Marshal(nonNil(s.commands[guild]))
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, b)
}

func nonNil(c []*discordgo.ApplicationCommand) []*discordgo.ApplicationCommand {
	if c == nil {
		return []*discordgo.ApplicationCommand{}
	}
	return c
}

// handleBulkOverwrite replaces every command of the scope. As on Discord,
// a command keeps its ID across overwrites when its name and type stay.
func (s *Server) handleBulkOverwrite(w http.ResponseWriter, r *http.Request) {
	guild, ok := s.commandScope(w, r)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var cmds []*discordgo.ApplicationCommand
	if err := json.Unmarshal(body, &cmds); err != nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	var fe formErrors
	validateCommands(cmds, "", &fe)
	if aerr := fe.err(); aerr != nil {
		aerr.write(w)
		return
	}
	s.mu.Lock()
	for _, c := range cmds {
		s.assignCommandLocked(guild, c)
	}
	s.commands[guild] = cmds
	s.bulkOverwrites++
	b, _ := json.Marshal(nonNil(cmds))
	s.notifyLocked()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, b)
}

// handleCreateCommand creates one command, or replaces the one with the same
// name and type (201 when new, 200 when replaced).
func (s *Server) handleCreateCommand(w http.ResponseWriter, r *http.Request) {
	guild, ok := s.commandScope(w, r)
	if !ok {
		return
	}
	body, _ := io.ReadAll(r.Body)
	var c *discordgo.ApplicationCommand
	if err := json.Unmarshal(body, &c); err != nil || c == nil {
		writeError(w, http.StatusBadRequest, 50109, "The request body contains invalid JSON.")
		return
	}
	var fe formErrors
	validateCommand(c, "", &fe)
	if aerr := fe.err(); aerr != nil {
		aerr.write(w)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assignCommandLocked(guild, c)
	status := http.StatusCreated
	list := s.commands[guild]
	replaced := false
	for i, old := range list {
		if old.ID == c.ID {
			list[i], replaced, status = c, true, http.StatusOK
		}
	}
	if !replaced {
		list = append(list, c)
	}
	s.commands[guild] = list
	s.notifyLocked()
	b, _ := json.Marshal(c)
	writeJSON(w, status, b)
}

func (s *Server) assignCommandLocked(guild string, c *discordgo.ApplicationCommand) {
	if c.Type == 0 {
		c.Type = discordgo.ChatApplicationCommand
	}
	key := commandKey(guild, c.Type, c.Name)
	id, ok := s.commandIDs[key]
	if !ok {
		id = s.ids.next()
		s.commandIDs[key] = id
	}
	c.ID = id
	c.ApplicationID = s.cfg.AppID
	c.GuildID = guild
	c.Version = s.ids.next()
}

// commandIDLocked is the ID of a registered chat command (guild first, then
// global), or "" if none is registered.
func (s *Server) commandIDLocked(guild, name string) string {
	if id, ok := s.commandIDs[commandKey(guild, discordgo.ChatApplicationCommand, name)]; ok {
		return id
	}
	return s.commandIDs[commandKey("", discordgo.ChatApplicationCommand, name)]
}

// Commands returns copies of the commands registered for guildID ("" for
// global commands), as the last overwrite left them, with their IDs.
func (s *Server) Commands(guildID string) []*discordgo.ApplicationCommand {
	s.mu.Lock()
	b, _ := json.Marshal(s.commands[guildID])
	s.mu.Unlock()
	var out []*discordgo.ApplicationCommand
	_ = json.Unmarshal(b, &out)
	return out
}

// BulkOverwrites counts accepted bulk overwrites (PUT .../commands).
func (s *Server) BulkOverwrites() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bulkOverwrites
}

func validateCommands(cmds []*discordgo.ApplicationCommand, prefix string, fe *formErrors) {
	counts := make(map[discordgo.ApplicationCommandType]int)
	seen := make(map[string]bool)
	for i, c := range cmds {
		p := prefix + strconv.Itoa(i)
		if c == nil {
			fe.add(p, "BASE_TYPE_REQUIRED", "This field is required")
			continue
		}
		validateCommand(c, p+".", fe)
		t := c.Type
		if t == 0 {
			t = discordgo.ChatApplicationCommand
		}
		counts[t]++
		key := strconv.Itoa(int(t)) + "\x00" + c.Name
		if seen[key] {
			fe.add(p+".name", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
		}
		seen[key] = true
	}
	if counts[discordgo.ChatApplicationCommand] > 100 {
		fe.add(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer chat input commands.")
	}
	if counts[discordgo.UserApplicationCommand] > 5 || counts[discordgo.MessageApplicationCommand] > 5 {
		fe.add(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer user and message commands each.")
	}
}

func validateCommand(c *discordgo.ApplicationCommand, p string, fe *formErrors) {
	t := c.Type
	if t == 0 {
		t = discordgo.ChatApplicationCommand
	}
	if t < discordgo.ChatApplicationCommand || t > discordgo.MessageApplicationCommand {
		fe.add(p+"type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3}.")
	}
	if t == discordgo.ChatApplicationCommand {
		checkName(c.Name, p+"name", fe)
		checkDescription(c.Description, p+"description", fe)
		validateOptions(c.Options, p+"options", 0, fe)
		return
	}
	if n := utf8.RuneCountInString(c.Name); n < 1 || n > 32 {
		fe.add(p+"name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length.")
	}
	if c.Description != "" {
		fe.add(p+"description", "APPLICATION_COMMAND_DESCRIPTION_INVALID", "Context menu commands cannot have a description")
	}
	if len(c.Options) > 0 {
		fe.add(p+"options", "APPLICATION_COMMAND_OPTIONS_INVALID", "Context menu commands cannot have options")
	}
}

func checkName(name, path string, fe *formErrors) {
	if !commandName.MatchString(name) || strings.ToLower(name) != name {
		fe.add(path, "APPLICATION_COMMAND_INVALID_NAME", fmt.Sprintf("Command name is invalid: %q (1-32 lowercase letters, digits, - or _)", name))
	}
}

func checkDescription(d, path string, fe *formErrors) {
	if n := utf8.RuneCountInString(d); n < 1 || n > 100 {
		fe.add(path, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
	}
}

// validateOptions checks option rules; depth is 0 at the command, 1 inside
// a subcommand group or subcommand, 2 inside a subcommand of a group.
func validateOptions(opts []*discordgo.ApplicationCommandOption, path string, depth int, fe *formErrors) {
	if len(opts) > 25 {
		fe.add(path, "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
	}
	var sub, other, optional bool
	names := make(map[string]bool)
	for i, o := range opts {
		p := path + "." + strconv.Itoa(i) + "."
		if o == nil {
			fe.add(p[:len(p)-1], "BASE_TYPE_REQUIRED", "This field is required")
			continue
		}
		checkName(o.Name, p+"name", fe)
		checkDescription(o.Description, p+"description", fe)
		if names[o.Name] {
			fe.add(p+"name", "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS", "Option names must be unique")
		}
		names[o.Name] = true
		if o.Type < discordgo.ApplicationCommandOptionSubCommand || o.Type > discordgo.ApplicationCommandOptionAttachment {
			fe.add(p+"type", "BASE_TYPE_CHOICES", "Value must be one of {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}.")
		}
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommandGroup:
			sub = true
			if depth > 0 {
				fe.add(p+"type", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command groups can only be nested in a command")
			}
			for j, c := range o.Options {
				if c != nil && c.Type != discordgo.ApplicationCommandOptionSubCommand {
					fe.add(p+"options."+strconv.Itoa(j)+".type", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "A sub-command group can only contain sub-commands")
				}
			}
			validateOptions(o.Options, p+"options", 1, fe)
		case discordgo.ApplicationCommandOptionSubCommand:
			sub = true
			if depth > 1 {
				fe.add(p+"type", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-commands cannot be nested in sub-commands")
			}
			validateOptions(o.Options, p+"options", 2, fe)
		default:
			other = true
			if o.Required && optional {
				fe.add(p+"required", "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID", "Required options must be placed before non-required options")
			}
			if !o.Required {
				optional = true
			}
			if len(o.Options) > 0 {
				fe.add(p+"options", "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Only sub-commands and groups have options")
			}
		}
		if len(o.Choices) > 25 {
			fe.add(p+"choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
		}
		if len(o.Choices) > 0 && o.Autocomplete {
			fe.add(p+"autocomplete", "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID", "Autocomplete cannot be used with choices")
		}
		for j, c := range o.Choices {
			if c == nil {
				continue
			}
			if n := utf8.RuneCountInString(c.Name); n < 1 || n > 100 {
				fe.add(p+"choices."+strconv.Itoa(j)+".name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
			}
		}
		if o.MaxLength > 6000 || (o.MinLength != nil && (*o.MinLength < 0 || *o.MinLength > 6000)) {
			fe.add(p+"max_length", "NUMBER_TYPE_MAX", "Must be 6000 or less.")
		}
	}
	if sub && other {
		fe.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID", "Sub-command and sub-command group option types are mutually exclusive to all other types")
	}
}
