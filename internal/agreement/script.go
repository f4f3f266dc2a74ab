package agreement

import (
	"fmt"
	"io"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// ScriptAssignments parses a shell script with a real shell parser and
// returns, for each variable, the values of every assignment to it, in
// order, wherever it appears (top level, functions, branches). A value
// must be static: a literal, quoted or not. An assignment whose value the
// parser can only know at run time (an expansion, a command substitution)
// is an error naming its line, since Check could not compare it.
//
// name is used in messages only.
func ScriptAssignments(r io.Reader, name string) (map[string][]string, error) {
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(r, name)
	if err != nil {
		return nil, err
	}
	vars := map[string][]string{}
	var bad []string
	syntax.Walk(f, func(n syntax.Node) bool {
		a, ok := n.(*syntax.Assign)
		if !ok || a.Name == nil || a.Array != nil || a.Index != nil || a.Naked {
			return true
		}
		v, ok := staticWord(a.Value)
		if !ok {
			if isUpperName(a.Name.Value) {
				bad = append(bad, fmt.Sprintf("%s:%s: %s is assigned a value known only when the script runs", name, a.Pos(), a.Name.Value))
			}
			return true
		}
		if a.Append {
			prev := vars[a.Name.Value]
			if len(prev) > 0 {
				v = prev[len(prev)-1] + v
			}
		}
		vars[a.Name.Value] = append(vars[a.Name.Value], v)
		return true
	})
	if len(bad) > 0 {
		return vars, fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return vars, nil
}

// isUpperName reports whether s is a NAME the scripts use for the spec's
// values; lower-case names are the scripts' own working variables.
func isUpperName(s string) bool { return s != "" && strings.ToUpper(s) == s }

// staticWord returns the value of w when it has no expansions. A nil word
// (NAME=) is the empty string.
func staticWord(w *syntax.Word) (string, bool) {
	if w == nil {
		return "", true
	}
	var b strings.Builder
	for _, p := range w.Parts {
		if !staticPart(&b, p) {
			return "", false
		}
	}
	return b.String(), true
}

func staticPart(b *strings.Builder, p syntax.WordPart) bool {
	switch p := p.(type) {
	case *syntax.Lit:
		// An unquoted literal keeps backslash escapes in Value.
		b.WriteString(unescape(p.Value))
	case *syntax.SglQuoted:
		if p.Dollar {
			return false
		}
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			lit, ok := q.(*syntax.Lit)
			if !ok {
				return false
			}
			b.WriteString(lit.Value)
		}
	default:
		return false
	}
	return true
}

// unescape removes the backslashes of an unquoted shell literal.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
