package winhost

import (
	"bytes"
	"context"
	"io"
	"strings"
)

// exitSyntax is cmd's exit code for a line it cannot parse (UNCONFIRMED).
const exitSyntax = 255

// shell is the state of one cmd.exe run: the streams, the variables and the
// last exit code.
type shell struct {
	h      *Host
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	env    map[string]string
	cwd    string
	code   int
	exited bool
}

// Run interprets one command line as `cmd.exe /c` would on the host,
// writing CRLF output to stdout and stderr as it goes, and returns the exit
// code. stdin may be nil. Run satisfies lab/wsman.Runner.
func (h *Host) Run(ctx context.Context, cmdline string, stdin io.Reader,
	stdout, stderr io.Writer) int {

	if stdin == nil {
		stdin = strings.NewReader("")
	}
	sh := &shell{
		h: h, ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr,
		env: h.environment(), cwd: h.rel.profile,
	}

	// cmd expands variables before it parses the line.
	line := expandVars(cmdline, sh.env)
	tree, err := parseLine(line)
	if err != nil {
		writeLines(stderr, err.Error())
		return exitSyntax
	}
	sh.runChain(tree)
	return sh.code
}

// environment returns the variables a remote shell starts with, keyed in
// upper case.
func (h *Host) environment() map[string]string {
	root := h.rel.systemRoot
	path := root + `\system32;` + root + `;` + root + `\System32\Wbem`
	if h.rel.iisMajor >= 7 {
		path += `;` + root + `\System32\WindowsPowerShell\v1.0\`
	}
	return map[string]string{
		"COMPUTERNAME":           h.settings.Computer,
		"COMSPEC":                root + `\system32\cmd.exe`,
		"OS":                     "Windows_NT",
		"PATH":                   path,
		"PATHEXT":                ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC",
		"PROGRAMFILES":           `C:\Program Files`,
		"SYSTEMDRIVE":            "C:",
		"SYSTEMROOT":             root,
		"USERNAME":               "Administrator",
		"USERPROFILE":            h.rel.profile,
		"WINDIR":                 root,
		"USERDOMAIN":             h.settings.Computer,
		"PROCESSOR_ARCHITECTURE": "AMD64",
	}
}

// runChain runs the commands of a chain, honouring && and ||.
func (sh *shell) runChain(c *chain) {
	for _, it := range c.items {
		if sh.exited || sh.ctx.Err() != nil {
			return
		}
		switch {
		case it.op == "&&" && sh.code != 0:
			continue
		case it.op == "||" && sh.code == 0:
			continue
		}
		sh.runNode(it.node)
	}
}

// runNode runs one parsed command.
func (sh *shell) runNode(n node) {
	switch n := n.(type) {
	case *chain:
		sh.runChain(n)
	case *rem:
		// A comment leaves the exit code alone.
	case *group:
		sh.withRedirects(n.redirs, func() { sh.runChain(n.body) })
	case *ifExist:
		sh.runIf(n)
	case *pipeline:
		sh.runPipeline(n)
	case *simple:
		sh.withRedirects(n.redirs, func() { sh.runSimple(n.text) })
	}
}

// runIf evaluates an if and runs the chosen branch.
func (sh *shell) runIf(n *ifExist) {
	var cond bool
	if n.isLevel {
		cond = sh.code >= n.errorLevel
	} else {
		cond = sh.h.exists(sh.abs(n.path))
	}
	if n.not {
		cond = !cond
	}
	switch {
	case cond:
		sh.runNode(n.then)
	case n.els != nil:
		sh.runNode(n.els)
	}
}

// runPipeline feeds each command's output to the next one's input.
func (sh *shell) runPipeline(pl *pipeline) {
	in := sh.stdin
	out := sh.stdout
	for i, n := range pl.cmds {
		var buf bytes.Buffer
		sub := *sh
		sub.stdin = in
		if i < len(pl.cmds)-1 {
			sub.stdout = &buf
		} else {
			sub.stdout = out
		}
		sub.runNode(n)
		sh.code, sh.exited = sub.code, sub.exited
		in = &buf
	}
}

// withRedirects runs fn with the streams redirected. Writing to a file
// creates it on the host; "nul" discards.
func (sh *shell) withRedirects(rs []redirect, fn func()) {
	if len(rs) == 0 {
		fn()
		return
	}
	saveOut, saveErr, saveIn := sh.stdout, sh.stderr, sh.stdin
	defer func() { sh.stdout, sh.stderr, sh.stdin = saveOut, saveErr, saveIn }()

	var files []*bytes.Buffer
	var names []string
	var appends []bool
	for _, r := range rs {
		var w io.Writer
		switch strings.ToLower(r.target) {
		case "&1":
			w = sh.stdout
		case "&2":
			w = sh.stderr
		case "nul":
			w = io.Discard
		default:
			path := sh.abs(r.target)
			if r.fd == 0 {
				content, ok := sh.h.readFile(path)
				if !ok {
					writeLines(sh.stderr, "The system cannot find the file specified.")
					sh.code = 1
					return
				}
				sh.stdin = strings.NewReader(content)
				continue
			}
			if !sh.h.dirExists(parentDir(path)) {
				writeLines(sh.stderr, "The system cannot find the path specified.")
				sh.code = 1
				return
			}
			buf := &bytes.Buffer{}
			files, names, appends = append(files, buf), append(names, path),
				append(appends, r.append)
			w = buf
		}
		if r.fd == 2 {
			sh.stderr = w
		} else if r.fd == 1 {
			sh.stdout = w
		}
	}

	fn()
	for i, buf := range files {
		sh.h.writeFile(names[i], buf.String(), appends[i])
	}
}

// abs makes a Windows path absolute against the current directory.
func (sh *shell) abs(p string) string {
	p = strings.Trim(p, `"`)
	if isAbsWindowsPath(p) || strings.HasPrefix(p, `\\`) {
		return p
	}
	if strings.HasPrefix(p, `\`) {
		return "C:" + p
	}
	return strings.TrimSuffix(sh.cwd, `\`) + `\` + strings.TrimPrefix(p, `.\`)
}

// writeLines writes each line followed by CRLF.
func writeLines(w io.Writer, lines ...string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	io.WriteString(w, b.String())
}

// crlf converts LF line ends in s to CRLF.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// equalFold compares ASCII strings ignoring case.
func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
