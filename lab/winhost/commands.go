package winhost

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// runSimple runs one command: a cmd built-in or a program found by path or
// on PATH.
func (sh *shell) runSimple(text string) {
	text = strings.TrimLeft(text, " \t")
	if text == "" {
		return
	}
	token, name, rest := commandName(text)

	lower := strings.ToLower(name)
	switch {
	case lower == "echo":
		sh.echo(rest)
		return
	case len(lower) == 5 && strings.HasPrefix(lower, "echo"):
		// echo. and friends print their argument as it is, even when empty.
		writeLines(sh.stdout, rest)
		sh.code = 0
		return
	}
	switch lower {
	case "ver":
		writeLines(sh.stdout, "", sh.h.rel.ver)
		sh.code = 0
		return
	case "type":
		sh.typeFile(splitArgs(rest))
		return
	case "set":
		sh.set(rest)
		return
	case "exit":
		sh.exit(splitArgs(rest))
		return
	case "cd", "chdir":
		sh.cd(rest)
		return
	}

	f, errText := sh.resolve(name)
	if f == nil {
		if errText == "" {
			errText = fmt.Sprintf("'%s' is not recognized as an internal or external "+
				"command,\r\noperable program or batch file.", token)
		}
		writeLines(sh.stderr, errText)
		sh.code = 1
		return
	}
	sh.code = sh.runFile(f, rest)
}

// commandName splits a command into the token as written, the program or
// built-in name (unquoted), and the rest of the line. "echo." and "echo:"
// are echo with an empty or odd argument, as in cmd.
func commandName(text string) (token, name, rest string) {
	if strings.HasPrefix(text, `"`) {
		end := strings.IndexByte(text[1:], '"')
		if end < 0 {
			return text, text[1:], ""
		}
		return text[:end+2], text[1 : end+1], text[end+2:]
	}
	end := strings.IndexAny(text, " \t")
	if end < 0 {
		end = len(text)
	}
	token = text[:end]
	if len(token) > 4 && strings.EqualFold(token[:4], "echo") &&
		strings.ContainsRune(".:(/,;=", rune(token[4])) {
		return token, token[:5], text[5:]
	}
	return token, token, text[end:]
}

// echo prints its argument (everything after the first separator, trailing
// spaces included), or says whether echo is on.
func (sh *shell) echo(rest string) {
	sh.code = 0
	arg := rest
	if arg != "" {
		arg = arg[1:]
	}
	switch strings.ToLower(strings.TrimSpace(arg)) {
	case "":
		writeLines(sh.stdout, "ECHO is on.")
	case "on", "off":
	default:
		writeLines(sh.stdout, arg)
	}
}

// typeFile prints files; MetaBase.xml shows the live metabase.
func (sh *shell) typeFile(args []string) {
	if len(args) == 0 {
		writeLines(sh.stderr, "The syntax of the command is incorrect.")
		sh.code = 1
		return
	}
	sh.code = 0
	for _, a := range args {
		path := sh.abs(a)
		f := sh.h.lookupFile(path)
		switch {
		case f == nil && sh.h.dirExists(path):
			writeLines(sh.stderr, "Access is denied.")
			sh.code = 1
		case f == nil && sh.h.dirExists(parentDir(path)):
			writeLines(sh.stderr, "The system cannot find the file specified.")
			sh.code = 1
		case f == nil:
			writeLines(sh.stderr, "The system cannot find the path specified.")
			sh.code = 1
		case f.kind == kindMBXML:
			io.WriteString(sh.stdout, sh.h.metabaseXML())
		default:
			// Programs and binary files are not worth printing; files
			// written by redirection show their content.
			io.WriteString(sh.stdout, f.content)
		}
	}
}

// set prints or sets variables for the rest of this command line.
func (sh *shell) set(rest string) {
	sh.code = 0
	// cmd keeps trailing spaces in a value: "set X=1 & ..." sets "1 ".
	arg := strings.TrimLeft(rest, " \t")
	if name, value, ok := strings.Cut(arg, "="); ok && name != "" {
		if value == "" {
			delete(sh.env, strings.ToUpper(name))
		} else {
			sh.env[strings.ToUpper(name)] = value
		}
		return
	}
	arg = strings.TrimSpace(arg)
	var names []string
	for n := range sh.env {
		if strings.HasPrefix(n, strings.ToUpper(arg)) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		writeLines(sh.stderr, fmt.Sprintf("Environment variable %s not defined", arg))
		sh.code = 1
		return
	}
	sort.Strings(names)
	for _, n := range names {
		writeLines(sh.stdout, n+"="+sh.env[n])
	}
}

// exit ends the command line with an exit code.
func (sh *shell) exit(args []string) {
	if len(args) > 0 && strings.EqualFold(args[0], "/b") {
		args = args[1:]
	}
	sh.code = 0
	if len(args) > 0 {
		if n, err := strconv.Atoi(args[0]); err == nil {
			sh.code = n
		}
	}
	sh.exited = true
}

// cd prints or changes the current directory.
func (sh *shell) cd(rest string) {
	arg := strings.Trim(strings.TrimSpace(rest), `"`)
	if strings.HasPrefix(strings.ToLower(arg), "/d ") {
		arg = strings.TrimSpace(arg[3:])
	}
	sh.code = 0
	if arg == "" {
		writeLines(sh.stdout, sh.cwd)
		return
	}
	path := cleanPath(sh.abs(arg))
	if !sh.h.dirExists(path) {
		writeLines(sh.stderr, "The system cannot find the path specified.")
		sh.code = 1
		return
	}
	sh.cwd = path
}

// resolve finds the program a command name refers to, as cmd does: a name
// with a path is looked up there (with PATHEXT's extensions when it has
// none), a bare name in the current directory and then along PATH. When
// nothing is found it may return the error text to print instead of the
// "not recognized" one.
func (sh *shell) resolve(name string) (*file, string) {
	if strings.ContainsAny(name, `\:`) {
		path := sh.abs(name)
		if f := sh.tryExts(path); f != nil {
			return f, ""
		}
		if !sh.h.dirExists(parentDir(path)) {
			return nil, "The system cannot find the path specified."
		}
		return nil, ""
	}
	dirs := append([]string{sh.cwd}, strings.Split(sh.env["PATH"], ";")...)
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if f := sh.tryExts(strings.TrimSuffix(d, `\`) + `\` + name); f != nil {
			return f, ""
		}
	}
	return nil, ""
}

// tryExts looks path up as written when it has a PATHEXT extension, else
// with each of them appended.
func (sh *shell) tryExts(path string) *file {
	if hasPathExt(path) {
		return sh.h.lookupFile(path)
	}
	for _, ext := range strings.Split(sh.env["PATHEXT"], ";") {
		if f := sh.h.lookupFile(path + ext); f != nil {
			return f
		}
	}
	return nil
}

// runFile runs a program with the rest of its command line.
func (sh *shell) runFile(f *file, rest string) int {
	args := splitArgs(rest)
	switch f.kind {
	case kindHost:
		writeLines(sh.stdout, sh.h.settings.Computer)
		return 0
	case kindNet:
		return sh.net(args)
	case kindSC:
		return sh.sc(args)
	case kindWhere:
		return sh.where(args)
	case kindCScript:
		return sh.cscript(args)
	case kindMdutil:
		return sh.mdutil(args)
	case kindCmd:
		return sh.cmd(rest)
	}
	// TODO: other programs (wscript, Exchange binaries, a script run
	// without cscript) do nothing visible over WinRM; they succeed silently
	// here. Simulating them would need a GUI-less story for each.
	return 0
}

// cmd runs a nested `cmd /c line`.
func (sh *shell) cmd(rest string) int {
	s := strings.TrimLeft(rest, " \t")
	for len(s) > 1 && s[0] == '/' {
		opt := strings.ToLower(s[:2])
		s = strings.TrimLeft(s[2:], " \t")
		if opt == "/c" || opt == "/k" {
			// Without /s conditions met, cmd removes the first and the last
			// quote of the line.
			if strings.HasPrefix(s, `"`) {
				if last := strings.LastIndexByte(s, '"'); last > 0 {
					s = s[1:last] + s[last+1:]
				}
			}
			tree, err := parseLine(s)
			if err != nil {
				writeLines(sh.stderr, err.Error())
				return exitSyntax
			}
			sub := *sh
			sub.exited = false
			sub.runChain(tree)
			return sub.code
		}
	}
	// TODO: an interactive cmd without /c would wait for input; print
	// cmd's banner-less prompt instead of blocking.
	return 0
}

// where lists the files a name resolves to along the current directory and
// PATH, or under a directory with /r.
func (sh *shell) where(args []string) int {
	quiet := false
	var root string
	var names []string
	for i := 0; i < len(args); i++ {
		switch strings.ToLower(args[i]) {
		case "/q":
			quiet = true
		case "/r":
			if i+1 < len(args) {
				root = args[i+1]
				i++
			}
		default:
			names = append(names, args[i])
		}
	}
	if len(names) == 0 {
		writeLines(sh.stderr, "ERROR: The operation completed successfully, "+
			"but no pattern was specified.", `Type "WHERE /?" for usage.`)
		return 2
	}

	var found []string
	for _, n := range names {
		if root != "" {
			for _, f := range sh.h.filesIn(sh.abs(root), n, true) {
				found = append(found, f.path)
			}
			continue
		}
		dirs := append([]string{sh.cwd}, strings.Split(sh.env["PATH"], ";")...)
		for _, d := range dirs {
			if d == "" {
				continue
			}
			for _, f := range sh.h.filesIn(d, n, false) {
				found = append(found, f.path)
			}
		}
	}
	if len(found) == 0 {
		if !quiet {
			writeLines(sh.stderr, "INFO: Could not find files for the given pattern(s).")
		}
		return 1
	}
	if !quiet {
		writeLines(sh.stdout, found...)
	}
	return 0
}

// cscript runs a script with the console script host. Only adsutil.vbs is
// simulated.
func (sh *shell) cscript(args []string) int {
	logo := true
	var script string
	var scriptArgs []string
	for i, a := range args {
		if strings.HasPrefix(a, "//") {
			switch strings.ToLower(a) {
			case "//nologo", "//b":
				logo = false
			}
			continue
		}
		script, scriptArgs = a, args[i+1:]
		break
	}
	if logo {
		writeLines(sh.stdout, "Microsoft (R) Windows Script Host Version "+sh.h.rel.wsh,
			sh.h.rel.wshCopyright, "")
	}
	if script == "" {
		writeLines(sh.stdout, "Usage: CScript scriptname.extension [option...] "+
			"[arguments...]")
		return 1
	}

	path := sh.abs(script)
	f := sh.h.lookupFile(path)
	switch {
	case f == nil:
		writeLines(sh.stderr, fmt.Sprintf(`Input Error: Can not find script file "%s".`,
			path))
		return 1
	case f.kind != kindAdsutil:
		writeLines(sh.stderr, fmt.Sprintf(`Input Error: There is no script engine for `+
			`file extension "%s".`, extOf(f.path)))
		return 1
	}
	return sh.adsutil(scriptArgs)
}
