package winhost

import (
	"fmt"
	"strings"
)

// The parser turns one cmd.exe command line into a tree. It follows cmd's
// rules as far as remote management scripts use them: double quotes group
// and are kept in the text (the program splits its own arguments), ^ escapes
// the next character outside quotes, & | && || chain commands, parentheses
// group, a leading @ is dropped, rem comments out the rest of the line, and
// `if [not] exist path` takes a body that is either a parenthesised group or
// the whole rest of the line (as cmd's IF does).

// node is one element of a parsed command line.
type node interface{ isNode() }

// chain is commands joined by &, && and ||.
type chain struct {
	items []chainItem
}

// chainItem is one command of a chain and the operator before it ("" for
// the first).
type chainItem struct {
	op   string
	node node
}

// pipeline is commands joined by |.
type pipeline struct {
	cmds []node
}

// simple is one command: its text with cmd's escapes removed but quotes
// kept, and its redirections.
type simple struct {
	text   string
	redirs []redirect
}

// group is a parenthesised chain.
type group struct {
	body   *chain
	redirs []redirect
}

// ifExist is `if [not] exist path then [else otherwise]`, or with errorLevel
// set, `if [not] errorlevel N ...`.
type ifExist struct {
	not        bool
	path       string
	errorLevel int
	isLevel    bool
	then, els  node
}

// rem is a comment.
type rem struct{}

// redirect is one redirection: fd 1 or 2 (or 0 for input) to a file, "nul",
// or another handle ("&1", "&2").
type redirect struct {
	fd     int
	append bool
	target string
}

func (*chain) isNode()    {}
func (*pipeline) isNode() {}
func (*simple) isNode()   {}
func (*group) isNode()    {}
func (*ifExist) isNode()  {}
func (*rem) isNode()      {}

// syntaxError is a line cmd refuses to run; its message is what cmd prints.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// parser holds the line and the read position.
type parser struct {
	s string
	i int
}

// parseLine parses a whole command line.
func parseLine(line string) (*chain, error) {
	p := &parser{s: strings.TrimRight(line, "\r\n")}
	c, err := p.chain(0)
	if err != nil {
		return nil, err
	}
	if p.i < len(p.s) {
		return nil, unexpected(p.s[p.i:])
	}
	return c, nil
}

// unexpected is cmd's complaint about a stray operator.
func unexpected(rest string) error {
	tok := rest[:1]
	if strings.HasPrefix(rest, "&&") || strings.HasPrefix(rest, "||") {
		tok = rest[:2]
	}
	return &syntaxError{msg: tok + " was unexpected at this time."}
}

var errSyntax = &syntaxError{msg: "The syntax of the command is incorrect."}

func (p *parser) eof() bool { return p.i >= len(p.s) }

func (p *parser) peek(prefix string) bool { return strings.HasPrefix(p.s[p.i:], prefix) }

func (p *parser) skipSpace() {
	for !p.eof() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// chain parses commands joined by operators until the end of the line or,
// inside a group (depth > 0), a closing parenthesis.
func (p *parser) chain(depth int) (*chain, error) {
	c := &chain{}
	op := ""
	for {
		n, err := p.pipeline(depth)
		if err != nil {
			return nil, err
		}
		c.items = append(c.items, chainItem{op: op, node: n})

		p.skipSpace()
		switch {
		case p.eof(), depth > 0 && p.peek(")"):
			return c, nil
		case p.peek("&&"):
			op = "&&"
		case p.peek("||"):
			op = "||"
		case p.peek("&"):
			op = "&"
		default:
			return nil, unexpected(p.s[p.i:])
		}
		p.i += len(op)
		p.skipSpace()
		if p.eof() && op == "&" {
			// cmd accepts a trailing single &.
			return c, nil
		}
	}
}

// pipeline parses commands joined by single |.
func (p *parser) pipeline(depth int) (node, error) {
	first, err := p.command(depth)
	if err != nil {
		return nil, err
	}
	pl := &pipeline{cmds: []node{first}}
	for {
		p.skipSpace()
		if !p.peek("|") || p.peek("||") {
			break
		}
		p.i++
		n, err := p.command(depth)
		if err != nil {
			return nil, err
		}
		pl.cmds = append(pl.cmds, n)
	}
	if len(pl.cmds) == 1 {
		return first, nil
	}
	return pl, nil
}

// command parses one command: a group, an if, a rem or a simple command.
func (p *parser) command(depth int) (node, error) {
	p.skipSpace()
	for p.peek("@") {
		p.i++
		p.skipSpace()
	}
	if p.eof() {
		return nil, errSyntax
	}
	if c := p.s[p.i]; c == '&' || c == '|' || (c == ')' && depth > 0) {
		return nil, unexpected(p.s[p.i:])
	}

	if p.peek("(") {
		p.i++
		body, err := p.chain(depth + 1)
		if err != nil {
			return nil, err
		}
		if !p.peek(")") {
			return nil, errSyntax
		}
		p.i++
		return &group{body: body, redirs: p.groupRedirects()}, nil
	}

	switch strings.ToLower(p.word()) {
	case "if":
		return p.ifCommand(depth)
	case "rem":
		p.i = len(p.s)
		return &rem{}, nil
	}
	text, redirs := p.text(depth)
	return &simple{text: text, redirs: redirs}, nil
}

// word returns the next run of letters without consuming it, but only when
// a space, tab or the end of the line follows it.
func (p *parser) word() string {
	j := p.i
	for j < len(p.s) && isLetter(p.s[j]) {
		j++
	}
	if j < len(p.s) && p.s[j] != ' ' && p.s[j] != '\t' {
		return ""
	}
	return p.s[p.i:j]
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// ifCommand parses what follows "if".
func (p *parser) ifCommand(depth int) (node, error) {
	p.i += 2
	p.skipSpace()
	n := &ifExist{}
	if strings.EqualFold(p.word(), "not") {
		n.not = true
		p.i += 3
		p.skipSpace()
	}

	switch strings.ToLower(p.word()) {
	case "exist":
		p.i += 5
		p.skipSpace()
		n.path = p.token()
	case "errorlevel":
		p.i += 10
		p.skipSpace()
		if _, err := fmt.Sscan(p.token(), &n.errorLevel); err != nil {
			return nil, errSyntax
		}
		n.isLevel = true
	default:
		// TODO: string comparison (a==b) and /i are not simulated; remote
		// management scripts test files and exit codes only.
		return nil, errSyntax
	}
	if n.path == "" && !n.isLevel {
		return nil, errSyntax
	}

	var err error
	if n.then, err = p.body(depth); err != nil {
		return nil, err
	}
	if _, isGroup := n.then.(*group); !isGroup {
		return n, nil
	}
	save := p.i
	p.skipSpace()
	if !strings.EqualFold(p.word(), "else") {
		p.i = save
		return n, nil
	}
	p.i += 4
	n.els, err = p.body(depth)
	return n, err
}

// body parses the body of an if or else: a group, or else everything up to
// the end of the line (or of the enclosing group).
func (p *parser) body(depth int) (node, error) {
	p.skipSpace()
	if p.eof() {
		return nil, errSyntax
	}
	if p.peek("(") {
		return p.command(depth)
	}
	return p.chain(depth)
}

// token reads one word that may be double-quoted, returning it unquoted.
func (p *parser) token() string {
	if p.peek(`"`) {
		end := strings.IndexByte(p.s[p.i+1:], '"')
		if end < 0 {
			t := p.s[p.i+1:]
			p.i = len(p.s)
			return t
		}
		t := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return t
	}
	j := p.i
	for j < len(p.s) && !strings.ContainsRune(" \t&|()", rune(p.s[j])) {
		j++
	}
	t := p.s[p.i:j]
	p.i = j
	return t
}

// text reads a simple command's text up to the next operator, removing
// carets and collecting redirections.
func (p *parser) text(depth int) (string, []redirect) {
	var b strings.Builder
	var redirs []redirect
	quoted := false
	for !p.eof() {
		c := p.s[p.i]
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '^' && p.i+1 < len(p.s):
			p.i++
			c = p.s[p.i]
		case c == '&' || c == '|' || (c == ')' && depth > 0):
			return b.String(), redirs
		case c == '>' || c == '<':
			redirs = append(redirs, p.redirect(&b))
			continue
		}
		b.WriteByte(c)
		p.i++
	}
	return b.String(), redirs
}

// redirect parses a redirection at p.i; a handle digit already written to b
// (as in "2>") is taken back.
func (p *parser) redirect(b *strings.Builder) redirect {
	r := redirect{fd: 1}
	if p.s[p.i] == '<' {
		r.fd = 0
	}
	if s := b.String(); len(s) > 0 && (s[len(s)-1] == '1' || s[len(s)-1] == '2') &&
		(len(s) == 1 || s[len(s)-2] == ' ' || s[len(s)-2] == '\t') {
		r.fd = int(s[len(s)-1] - '0')
		rest := s[:len(s)-1]
		b.Reset()
		b.WriteString(rest)
	}
	p.i++
	if p.peek(">") {
		r.append = true
		p.i++
	}
	p.skipSpace()
	if p.peek("&") && p.i+1 < len(p.s) && (p.s[p.i+1] == '1' || p.s[p.i+1] == '2') {
		r.target = p.s[p.i : p.i+2]
		p.i += 2
		return r
	}
	r.target = p.token()
	return r
}

// groupRedirects parses the redirections that may follow a group's closing
// parenthesis, stopping at anything else (such as "else").
func (p *parser) groupRedirects() []redirect {
	var redirs []redirect
	for {
		save := p.i
		p.skipSpace()
		var b strings.Builder
		if !p.eof() && (p.s[p.i] == '1' || p.s[p.i] == '2') && p.i+1 < len(p.s) &&
			p.s[p.i+1] == '>' {
			b.WriteByte(p.s[p.i])
			p.i++
		}
		if p.eof() || (p.s[p.i] != '>' && p.s[p.i] != '<') {
			p.i = save
			return redirs
		}
		redirs = append(redirs, p.redirect(&b))
	}
}

// splitArgs splits a program's command line into arguments the way the
// Microsoft C runtime does: white space separates, double quotes group and
// are removed, and backslashes are literal except before a quote.
func splitArgs(s string) []string {
	var args []string
	i := 0
	for {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			return args
		}
		var b strings.Builder
		quoted := false
		for i < len(s) {
			c := s[i]
			if c == '\\' {
				n := 0
				for i < len(s) && s[i] == '\\' {
					n++
					i++
				}
				if i < len(s) && s[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
				continue
			}
			if c == '"' {
				quoted = !quoted
				i++
				continue
			}
			if !quoted && (c == ' ' || c == '\t') {
				break
			}
			b.WriteByte(c)
			i++
		}
		args = append(args, b.String())
	}
}

// expandVars replaces %NAME% with the variable's value, ignoring case;
// undefined variables stay as written, as cmd leaves them on a command line.
func expandVars(s string, env map[string]string) string {
	var b strings.Builder
	for {
		start := strings.IndexByte(s, '%')
		if start < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := strings.IndexByte(s[start+1:], '%')
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		name := s[start+1 : start+1+end]
		if v, ok := env[strings.ToUpper(name)]; ok && name != "" {
			b.WriteString(s[:start])
			b.WriteString(v)
			s = s[start+end+2:]
			continue
		}
		b.WriteString(s[:start+1])
		s = s[start+1:]
	}
}
