package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// annotationQueryArgs marks a command whose arguments are query terms.
const annotationQueryArgs = "refunddesk/query-args"

// queryArgs lets the query terms of a command marked annotationQueryArgs
// start with "-", as the query language writes them (tickets list
// -status:closed -overdue), where the flag parser would take them for
// flags. The command's own flags (--json, --limit 5, --limit=5, -h) stay
// flags; every other argument is a term, put after "--" in the order
// given. Other command lines are returned as they are.
func queryArgs(root *cobra.Command, args []string) []string {
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root || cmd.Annotations[annotationQueryArgs] == "" {
		return args
	}
	cmd.InitDefaultHelpFlag()
	lookup := func(name string, short bool) *pflag.Flag {
		for _, fs := range []*pflag.FlagSet{cmd.Flags(), cmd.InheritedFlags()} {
			if short {
				if f := fs.ShorthandLookup(name); f != nil {
					return f
				}
			} else if f := fs.Lookup(name); f != nil {
				return f
			}
		}
		return nil
	}
	var path []string
	for c := cmd; c != root; c = c.Parent() {
		path = append([]string{c.Name()}, path...)
	}
	var flags, terms []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		var f *pflag.Flag
		inline := strings.Contains(a, "=")
		switch {
		case a == "--":
			terms = append(terms, rest[i+1:]...)
			i = len(rest)
			continue
		case strings.HasPrefix(a, "--"):
			name, _, _ := strings.Cut(a[2:], "=")
			f = lookup(name, false)
			if f == nil {
				flags = append(flags, a) // an unknown flag: the parser says so
				continue
			}
		case len(a) >= 2 && a[0] == '-' && (len(a) == 2 || a[2] == '='):
			f = lookup(a[1:2], true)
		}
		if f == nil {
			terms = append(terms, a)
			continue
		}
		flags = append(flags, a)
		if f.NoOptDefVal == "" && !inline && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i]) // the flag's value, whatever it looks like
		}
	}
	out := append(path, flags...)
	if len(terms) > 0 {
		out = append(append(out, "--"), terms...)
	}
	return out
}
