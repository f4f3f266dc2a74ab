package spec

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	cueyaml "cuelang.org/go/encoding/yaml"
)

// stdinFormat picks the format of a spec read from stdin, which has no
// file name: YAML (JSON is YAML) unless the text is not YAML but is CUE.
func stdinFormat(data []byte) string {
	if _, err := ExtractYAML("-", data); err == nil {
		return ".yaml"
	}
	if _, err := parser.ParseFile("-", data); err == nil {
		return ".cue"
	}
	return ".yaml"
}

var reDocSep = regexp.MustCompile(`^(---|\.\.\.)([ \t].*)?$`)

// oneDocument returns the YAML with separators around its one document
// blanked out, so a file that starts or ends with "---" is the mapping it
// holds. A second document is refused at its separator: a spec is one
// mapping, and more files are given with more -f flags.
func oneDocument(name string, data []byte) ([]byte, error) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	var seps []int     // line indexes of separators
	var content []bool // per document: holds anything but blanks and comments
	content = append(content, false)
	for i, l := range lines {
		t := strings.TrimRight(string(l), "\r\n")
		if reDocSep.MatchString(t) {
			seps = append(seps, i)
			rest := strings.TrimSpace(t[3:])
			content = append(content, rest != "" && !strings.HasPrefix(rest, "#"))
			continue
		}
		if s := strings.TrimSpace(t); s != "" && !strings.HasPrefix(s, "#") {
			content[len(content)-1] = true
		}
	}
	if len(seps) == 0 {
		return data, nil
	}
	docs := 0
	keep := -1 // the separator that opens the one document, if any
	for d, c := range content {
		if !c {
			continue
		}
		docs++
		if docs == 2 {
			f := token.NewFile(name, -1, len(data))
			f.SetLinesForContent(data)
			line := seps[d-1]
			return nil, errors.Newf(f.Pos(offsetOfLine(lines, line), token.NoRelPos),
				"a spec is one YAML document; a second one starts here (line %d). Give more files with more -f flags instead", line+1)
		}
		if d > 0 {
			keep = seps[d-1]
		}
	}
	out := make([]byte, 0, len(data))
	for i, l := range lines {
		if i != keep && isSep(seps, i) {
			// Keep the line count, so positions stay right.
			l = append([]byte("#"), l[min(1, len(l)):]...)
		}
		out = append(out, l...)
	}
	return out, nil
}

func isSep(seps []int, i int) bool {
	for _, s := range seps {
		if s == i {
			return true
		}
	}
	return false
}

func offsetOfLine(lines [][]byte, line int) int {
	off := 0
	for _, l := range lines[:line] {
		off += len(l)
	}
	return off
}

var reYAMLLine = regexp.MustCompile(`:(\d+): `)

// yamlError rewrites YAML syntax errors that point at the wrong place or
// say too little: a tab in indentation gets its line and column and the
// rule, an unclosed flow collection ('[' or '{') the place it was opened.
func yamlError(name string, data []byte, err error) error {
	msg := err.Error()
	f := token.NewFile(name, -1, len(data))
	f.SetLinesForContent(data)
	at := func(off int) token.Pos { return f.Pos(off, token.NoRelPos) }
	reported := 0
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		reported, _ = strconv.Atoi(m[1])
	}
	switch {
	case strings.Contains(msg, "found character that cannot start any token"), strings.Contains(msg, "found a tab character"):
		if off, ok := firstIndentTab(data); ok {
			return errors.Newf(at(off), "YAML forbids tabs in indentation; indent with spaces (a tab at line %d, column %d)", f.Position(at(off)).Line, f.Position(at(off)).Column)
		}
	case strings.Contains(msg, "did not find expected ',' or ']'"), strings.Contains(msg, "did not find expected ',' or '}'"):
		if off, ok := unclosedFlow(data); ok {
			p := f.Position(at(off))
			return errors.Newf(at(off), "%q opened at line %d, column %d is never closed (YAML: %s)", string(data[off]), p.Line, p.Column, strings.TrimSpace(msg[strings.LastIndex(msg, ": ")+2:]))
		}
	}
	if reported > 0 && reported <= f.LineCount() {
		return errors.Newf(at(f.Lines()[reported-1]), "%s", strings.TrimSpace(msg[strings.LastIndex(msg, ": ")+2:]))
	}
	return err
}

// firstIndentTab finds the first tab in the leading whitespace of a line.
func firstIndentTab(data []byte) (int, bool) {
	start := 0
	for start <= len(data) {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		for i := start; i < start+end; i++ {
			if data[i] == '\t' {
				return i, true
			}
			if data[i] != ' ' && data[i] != '-' {
				break
			}
		}
		start += end + 1
	}
	return 0, false
}

// unclosedFlow finds the first '[' or '{' of a flow collection that is not
// closed, skipping quoted strings and comments.
func unclosedFlow(data []byte) (int, bool) {
	var stack []int
	var quote byte
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case quote != 0:
			if c == '\\' && quote == '"' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			if i == 0 || strings.IndexByte(" \t\n[{,:", data[i-1]) >= 0 {
				quote = c
			}
		case c == '#' && (i == 0 || data[i-1] == ' ' || data[i-1] == '\t' || data[i-1] == '\n'):
			for i < len(data) && data[i] != '\n' {
				i++
			}
		case c == '[' || c == '{':
			stack = append(stack, i)
		case c == ']' || c == '}':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		}
	}
	if len(stack) == 0 {
		return 0, false
	}
	return stack[0], true
}

// ExtractYAML is cueyaml.Extract made safe for any bytes. Carriage returns
// end lines, as YAML says: CUE's decoder finds lines by "\n" alone and
// panicked on "\r\r0" (an index out of range, found by FuzzParse). Any
// other panic inside the decoder becomes an error at the file, never a
// crash. The fleet file and the spec files are read through it.
func ExtractYAML(name string, data []byte) (f *ast.File, err error) {
	data = lineFeeds(data)
	defer func() {
		if r := recover(); r != nil {
			tf := token.NewFile(name, -1, len(data)+1)
			tf.SetLines([]int{0})
			f, err = nil, errors.Newf(tf.Pos(0, token.NoRelPos), "%s: the YAML decoder failed on this file (%v); check the file's YAML syntax", name, r)
		}
	}()
	return cueyaml.Extract(name, data)
}

// lineFeeds turns CRLF and lone CR line breaks into LF.
func lineFeeds(data []byte) []byte {
	if !bytes.ContainsRune(data, '\r') {
		return data
	}
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	return bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
}
