package winhost

import (
	"reflect"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`get -path:smtpsvc/1 -prop:36998`, []string{"get", "-path:smtpsvc/1", "-prop:36998"}},
		{`  a   b  `, []string{"a", "b"}},
		{`"C:\Program Files\x.exe" y`, []string{`C:\Program Files\x.exe`, "y"}},
		{`-value:"a b" c`, []string{"-value:a b", "c"}},
		{`a\\b \"q\" \\"x y"`, []string{`a\\b`, `"q"`, `\x y`}},
		{`C:\dir\ next`, []string{`C:\dir\`, "next"}},
		{``, nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := splitArgs(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("wrong result\ngot:  %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func TestExpandVars(t *testing.T) {
	env := map[string]string{"SYSTEMROOT": `C:\Windows`, "X": "1"}
	tests := []struct{ in, want string }{
		{`%SystemRoot%\System32`, `C:\Windows\System32`},
		{`%systemroot%`, `C:\Windows`},
		{`%NOPE% and %X%`, `%NOPE% and 1`},
		{`100% sure`, `100% sure`},
		{`%%`, `%%`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := expandVars(tt.in, env); got != tt.want {
				t.Errorf("wrong result\ngot:  %q\nwant: %q", got, tt.want)
			}
		})
	}
}

// TestRunOperators checks cmd's chaining, grouping, quoting and escapes on
// exact output bytes and exit codes.
func TestRunOperators(t *testing.T) {
	notFound := func(name string) string {
		return "'" + name + "' is not recognized as an internal or external command,\r\n" +
			"operable program or batch file.\r\n"
	}
	const pathNotFound = "The system cannot find the path specified.\r\n"
	tests := []struct {
		line string
		want result
	}{
		{`echo a & echo b`, result{"a \r\nb\r\n", "", 0}},
		{`echo a&echo b`, result{"a\r\nb\r\n", "", 0}},
		{`foo && echo no`, result{"", notFound("foo"), 1}},
		{`foo || echo yes`, result{"yes\r\n", notFound("foo"), 0}},
		{`echo ok || echo no`, result{"ok \r\n", "", 0}},
		{`foo & echo after`, result{"after\r\n", notFound("foo"), 0}},
		{`echo first & foo`, result{"first \r\n", notFound("foo"), 1}},
		{`@echo quiet`, result{"quiet\r\n", "", 0}},
		{`echo a ^& b`, result{"a & b\r\n", "", 0}},
		{`echo "a & b"`, result{"\"a & b\"\r\n", "", 0}},
		{`echo.`, result{"\r\n", "", 0}},
		{`echo`, result{"ECHO is on.\r\n", "", 0}},
		{`rem comment & echo hidden`, result{"", "", 0}},
		{`ECHO Upper`, result{"Upper\r\n", "", 0}},
		{`(echo a & echo b) & echo c`, result{"a \r\nb\r\nc\r\n", "", 0}},
		{`echo %COMPUTERNAME%`, result{"MAIL01\r\n", "", 0}},
		{`echo a | foo`, result{"", notFound("foo"), 1}},
		{`echo hidden > nul & echo shown`, result{"shown\r\n", "", 0}},
		{`foo 2>nul || echo handled`, result{"handled\r\n", "", 0}},
		{`foo 2>&1`, result{notFound("foo"), "", 1}},
		{`echo x >C:\nodir\f.txt`, result{"", pathNotFound, 1}},
		{`echo saved> out.txt & type out.txt`, result{"saved \r\n", "", 0}},
		{`exit /b 3 & echo never`, result{"", "", 3}},
		{`cmd /c "echo inner" & echo outer`, result{"inner \r\nouter\r\n", "", 0}},
		{`& echo x`, result{"", "& was unexpected at this time.\r\n", 255}},
		{`echo a && && echo b`, result{"", "&& was unexpected at this time.\r\n", 255}},
		{`(echo open`, result{"", "The syntax of the command is incorrect.\r\n", 255}},
		{`"C:\No Such\tool.exe" x`, result{"", pathNotFound, 1}},
		{`C:\Windows\System32\nope.exe`, result{"", notFound(`C:\Windows\System32\nope.exe`), 1}},
		{`C:\WINDOWS\system32\HOSTNAME`, result{"MAIL01\r\n", "", 0}},
		{`hostname.exe`, result{"MAIL01\r\n", "", 0}},
		{`set X=1 & set X`, result{"X=1 \r\n", "", 0}},
		{`cd`, result{"C:\\Users\\Administrator\r\n", "", 0}},
	}
	h := newHost(t, nil)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			check(t, tt.line, run(h, tt.line), tt.want)
		})
	}
}

func TestRunIf(t *testing.T) {
	tests := []struct {
		line string
		want string
	}{
		{`if exist ` + testMdutil + ` echo yes`, "yes\r\n"},
		{`if exist "` + testMdutil + `" (echo yes) else (echo no)`, "yes\r\n"},
		{`if exist C:\Tools\mdutil.exe (echo yes) else (echo no)`, "no\r\n"},
		{`if not exist C:\Tools\mdutil.exe echo absent & echo also`, "absent \r\nalso\r\n"},
		{`if exist C:\Tools\mdutil.exe echo a & echo swallowed`, ""},
		{`if exist C:\Tools\x.exe (echo a) & echo always`, "always\r\n"},
		{`if exist "C:\Program Files\" (echo dir)`, "dir\r\n"},
		{`if exist "C:\Program Files\Exchsrvr\bin\store.exe" (echo ex) else (echo none)`,
			"none\r\n"},
		{`if exist %SystemRoot%\System32\inetsrv\MetaBase.xml echo xml`, "xml\r\n"},
		{`foo 2>nul & if errorlevel 1 echo failed`, "failed\r\n"},
		{`echo x>nul & if not errorlevel 1 (echo fine)`, "fine\r\n"},
	}
	h := newHost(t, nil)
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			got := run(h, tt.line)
			if got.stdout != tt.want {
				t.Errorf("wrong result\ngot:  %q (stderr %q)\nwant: %q", got.stdout, got.stderr,
					tt.want)
			}
		})
	}
}

func TestRunBuiltins(t *testing.T) {
	tests := []struct {
		windows string
		line    string
		want    result
	}{
		{"2019", "ver", result{"\r\nMicrosoft Windows [Version 10.0.17763.1697]\r\n", "", 0}},
		{"2003", "ver", result{"\r\nMicrosoft Windows [Version 5.2.3790]\r\n", "", 0}},
		{"2000", "ver", result{"\r\nMicrosoft Windows 2000 [Version 5.00.2195]\r\n", "", 0}},
		{"2019", "hostname", result{"MAIL01\r\n", "", 0}},
		{"2019", "where cscript", result{"C:\\Windows\\System32\\cscript.exe\r\n", "", 0}},
		{"2019", "where mdutil", result{"",
			"INFO: Could not find files for the given pattern(s).\r\n", 1}},
		{"2019", `where /r C:\Windows mdutil.exe`, result{testMdutil + "\r\n", "", 0}},
		{"2019", "where /q cscript", result{"", "", 0}},
		{"2000", "where cscript", result{"", "'where' is not recognized as an internal or " +
			"external command,\r\noperable program or batch file.\r\n", 1}},
		{"2003", `echo %SystemRoot%`, result{"C:\\WINDOWS\r\n", "", 0}},
		{"2000", `type %SystemRoot%\System32\inetsrv\MetaBase.xml`, result{"",
			"The system cannot find the file specified.\r\n", 1}},
		{"2000", `type C:\Windows\System32\inetsrv\MetaBase.xml`, result{"",
			"The system cannot find the path specified.\r\n", 1}},
		{"2019", `type C:\Windows`, result{"", "Access is denied.\r\n", 1}},
		{"2019", `type`, result{"", "The syntax of the command is incorrect.\r\n", 1}},
	}
	for _, tt := range tests {
		t.Run(tt.windows+" "+tt.line, func(t *testing.T) {
			h := newHost(t, func(s *Settings) {
				s.Windows = tt.windows
				if tt.windows == "2000" {
					s.MdutilPath = `C:\WINNT\System32\inetsrv\mdutil.exe`
				}
			})
			check(t, tt.line, run(h, tt.line), tt.want)
		})
	}
}

// TestMdutilOnPath shows that a bare "mdutil" runs only from a directory on
// PATH, while the full path always works.
func TestMdutilOnPath(t *testing.T) {
	tests := []struct {
		install, line string
		wantCode      int
	}{
		{`C:\Windows\System32\mdutil.exe`, "mdutil get smtpsvc/1/36998", 0},
		{`C:\Windows\System32\mdutil.exe`, "MDUTIL.EXE get smtpsvc/1/36998", 0},
		{testMdutil, "mdutil get smtpsvc/1/36998", 1},
		{testMdutil, testMdutil + " get smtpsvc/1/36998", 0},
		{`C:\Program Files\IIS Tools\mdutil.exe`,
			`"C:\Program Files\IIS Tools\mdutil.exe" get smtpsvc/1/36998`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			h := newHost(t, func(s *Settings) { s.MdutilPath = tt.install })
			if got := run(h, tt.line); got.code != tt.wantCode {
				t.Errorf("wrong result\ngot:  exit %d (%q %q)\nwant: exit %d", got.code,
					got.stdout, got.stderr, tt.wantCode)
			}
		})
	}
}
