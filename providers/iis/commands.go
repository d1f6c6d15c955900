package iis

import (
	"fmt"
	"strings"

	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// Where the tools are looked for when the host does not say.
const (
	// DefaultMdutilPath is where smtpverbs looks for mdutil.exe. Mdutil is
	// never installed by Windows: an administrator extracts it from the
	// Windows 2000 CD (\i386\mdutil.ex_) or the IIS resource kit, and the
	// IIS tools folder is the usual place for it. Windows 2000 keeps the
	// system in C:\WINNT, so hosts there need mdutil_path.
	//
	// TODO: %SystemRoot%\System32\inetsrv\mdutil.exe would find the
	// folder on Windows 2000 too; it is not used yet because the lab places
	// the tool at this literal path whatever the Windows version.
	DefaultMdutilPath = `C:\Windows\System32\inetsrv\mdutil.exe`

	// DefaultAdsutilPath is where IIS 5 and 6, and the IIS 6 Scripting Tools
	// of Windows Server 2008 and later, install adsutil.vbs.
	DefaultAdsutilPath = `C:\Inetpub\AdminScripts\adsutil.vbs`
)

// The methods a host can be managed with.
const (
	methodAuto    = "auto"
	methodMdutil  = "mdutil"
	methodAdsutil = "adsutil"
)

// markerPrefix starts every section marker line the remote commands echo.
// It holds no character that cmd.exe treats specially.
const markerPrefix = "--smtpverbs-"

// The sections of the remote command output.
const (
	secHostname = "hostname"
	secVer      = "ver"
	secSMTPSVC  = "smtpsvc"
	secRESvc    = "resvc"
	secMdutil   = "mdutil"
	secAdsutil  = "adsutil"
	secEnd      = "end"
	secWrite    = "write"
	secWritten  = "written"
	secStopped  = "stopped"
	secStarted  = "started"
)

// absentSuffix marks the section a tool's read echoes when the tool is not
// installed, e.g. "mdutil-absent".
const absentSuffix = "-absent"

// marker returns the echo command that introduces section name.
func marker(name string) string {
	return "echo " + markerPrefix + name + "--"
}

// tools says which tools a session may use and where they are.
type tools struct {
	Method  string // auto, mdutil or adsutil
	Mdutil  string
	Adsutil string
}

// toolsFor validates a host's method and tool paths and fills in defaults.
func toolsFor(h providers.Host) (tools, error) {
	t := tools{
		Method:  strings.ToLower(strings.TrimSpace(h.Method)),
		Mdutil:  strings.TrimSpace(h.MdutilPath),
		Adsutil: strings.TrimSpace(h.AdsutilPath),
	}
	if t.Method == "" {
		t.Method = methodAuto
	}
	if t.Mdutil == "" {
		t.Mdutil = DefaultMdutilPath
	}
	if t.Adsutil == "" {
		t.Adsutil = DefaultAdsutilPath
	}

	switch t.Method {
	case methodAuto, methodMdutil, methodAdsutil:
	default:
		return t, fmt.Errorf("method %q is not known: write \"auto\", \"mdutil\" or \"adsutil\"",
			h.Method)
	}
	for _, p := range []struct{ name, path string }{
		{"mdutil_path", t.Mdutil}, {"adsutil_path", t.Adsutil},
	} {
		if strings.ContainsAny(p.path, "\"\r\n\x00") {
			return t, fmt.Errorf("%s %q holds a quote or line break, which no Windows path "+
				"can: write the plain path, e.g. %s", p.name, p.path, DefaultAdsutilPath)
		}
	}
	return t, nil
}

// useMdutil and useAdsutil say whether the method allows each tool.
func (t tools) useMdutil() bool  { return t.Method != methodAdsutil }
func (t tools) useAdsutil() bool { return t.Method != methodMdutil }

// quote wraps a path in double quotes for cmd.exe. Inside quotes, spaces and
// the characters & | < > ( ) ^ lose their special meaning; toolsFor has
// already refused paths holding a quote.
func quote(path string) string {
	return `"` + path + `"`
}

// mdutilCmd and adsutilCmd return a tool invocation with its arguments.
func (t tools) mdutilCmd(args ...string) string {
	return strings.Join(append([]string{quote(t.Mdutil)}, args...), " ")
}

func (t tools) adsutilCmd(args ...string) string {
	return strings.Join(append([]string{"cscript //nologo", quote(t.Adsutil)}, args...), " ")
}

// ifExists runs cmd when path exists and echoes the marker of section
// sec+absentSuffix otherwise. The whole if is grouped in parentheses so that
// a following & cannot be taken as part of its else branch.
func ifExists(sec, path, cmd string) string {
	return fmt.Sprintf("(if exist %s (%s) else (%s))", quote(path), cmd,
		marker(sec+absentSuffix))
}

// readCommand builds the one command line that Read runs: every fact in its
// own section, so one failing step never hides the others.
func readCommand(t tools) string {
	steps := []string{
		marker(secHostname), "hostname",
		marker(secVer), "ver",
		marker(secSMTPSVC), "sc query SMTPSVC",
		marker(secRESvc), "sc query RESvc",
	}
	if t.useMdutil() {
		steps = append(steps, marker(secMdutil),
			ifExists(secMdutil, t.Mdutil, t.mdutilCmd("enum_all", "-path:smtpsvc")))
	}
	if t.useAdsutil() {
		steps = append(steps, marker(secAdsutil),
			ifExists(secAdsutil, t.Adsutil, t.adsutilCmd("ENUM_ALL", "smtpsvc")))
	}
	steps = append(steps, marker(secEnd))
	return strings.Join(steps, " & ")
}

// writeCommand builds the one command line that Write runs with the given
// method: the writes chained with && (a failed write stops the chain and the
// restart), a restart of SMTPSVC when restart is set, then the same read as
// readCommand. cmd.exe binds && tighter than &, and the chain starts after a
// marker, so the read runs whatever the chain did.
func writeCommand(t tools, method string, writes []providers.Write, restart bool) string {
	chain := []string{}
	for _, w := range writes {
		chain = append(chain, writeStep(t, method, w))
	}
	chain = append(chain, marker(secWritten))
	if restart {
		chain = append(chain, "net stop smtpsvc /y", marker(secStopped),
			"net start smtpsvc", marker(secStarted))
	}

	// The re-read uses only the method that wrote.
	rt := t
	rt.Method = method
	return marker(secWrite) + " & " + strings.Join(chain, " && ") + " & " + readCommand(rt)
}

// writeStep sets one instance's value at its own key, or deletes it there
// when w.Delete is set.
func writeStep(t tools, method string, w providers.Write) string {
	if w.Delete {
		if method == methodAdsutil {
			return t.adsutilCmd("DELETE",
				fmt.Sprintf("smtpsvc/%d/%s", w.Instance, verb.PropertyName))
		}
		return t.mdutilCmd("delete", fmt.Sprintf("-path:smtpsvc/%d", w.Instance),
			fmt.Sprintf("-prop:%d", verb.PropertyID))
	}
	if method == methodAdsutil {
		return t.adsutilCmd("SET", fmt.Sprintf("smtpsvc/%d/%s", w.Instance, verb.PropertyName),
			fmt.Sprintf("%d", uint32(w.Value)))
	}
	return t.mdutilCmd("set", fmt.Sprintf("-path:smtpsvc/%d", w.Instance),
		fmt.Sprintf("-prop:%d", verb.PropertyID), "-utype:UT_SERVER", "-dtype:DWORD",
		"-attrib:INHERIT", "-value:"+w.Value.String())
}

// sections splits command output at the marker lines. Text before the first
// marker is kept under "".
func sections(out string) map[string]string {
	secs := map[string]string{}
	name := ""
	var b strings.Builder
	for _, l := range lines(out) {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, markerPrefix) && strings.HasSuffix(t, "--") &&
			len(t) > len(markerPrefix)+2 {
			secs[name] += b.String()
			b.Reset()
			name = t[len(markerPrefix) : len(t)-2]
			if _, ok := secs[name]; !ok {
				secs[name] = ""
			}
			continue
		}
		b.WriteString(l)
		b.WriteString("\n")
	}
	secs[name] += b.String()
	return secs
}
