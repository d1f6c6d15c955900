package iis

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/verb"
)

// crlf turns \n into \r\n, as Windows tools print.
func crlf(s string) string {
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func TestParseGet(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    verb.Flags
		wantErr string // "" for success; "not set" for errNotSet
	}{
		{"mdutil unpadded", "36998 : [IS] (DWORD) 0x7574c1={7697601}\n", 0x7574c1, ""},
		{"mdutil padded CRLF",
			crlf("36998                         : [IS]    (DWORD)  0x3574c1={3503297}\n"),
			0x3574c1, ""},
		{"mdutil upper-case hex", "36998 : [IS] (DWORD) 0X7570C1={7696577}", 0x7570c1, ""},
		{"mdutil braces only", "36998 : [IS] (DWORD) ={7697601}", 0x7574c1, ""},
		{"mdutil not set",
			crlf("Error: GetData - HRES(0x800cc801) MD_ERROR_DATA_NOT_FOUND\n"), 0, "not set"},
		{"adsutil exactly 32 wide", "SmtpInboundCommandSupportOptions: (INTEGER) 7696449\r\n",
			0x757041, ""},
		{"adsutil Long", "SmtpInboundCommandSupportOptions : (Long) 7697601", 0x7574c1, ""},
		{"adsutil lower case name",
			"smtpinboundcommandsupportoptions      :   (integer)   7697601  ", 0x7574c1, ""},
		{"adsutil negative Long", "SmtpInboundCommandSupportOptions: (Long) -1", 0xffffffff, ""},
		{"adsutil not set",
			crlf("The parameter \"SmtpInboundCommandSupportOptions\" is not set at this node.\n"),
			0, "not set"},
		{"access denied",
			crlf("Error: SetData - HRES(0x80070005) E_ACCESSDENIED\n"), 0, "HRES(0x80070005)"},
		{"other property only", "1016 : [S] (DWORD) 0x2={2}", 0, "no SmtpInbound"},
		{"empty", "", 0, "no SmtpInbound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGet(tt.out)
			switch {
			case tt.wantErr == "not set":
				if !errors.Is(err, errNotSet) {
					t.Fatalf("wrong error\ngot: %v\nwant: %v", err, errNotSet)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("wrong error\ngot: %v\nwant text: %s", err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("unexpected error: %v", err)
			case got != tt.want:
				t.Errorf("wrong result\ngot: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestParseSCQuery(t *testing.T) {
	running := `
SERVICE_NAME: SMTPSVC
        TYPE               : 20  WIN32_SHARE_PROCESS
        STATE              : 4  RUNNING
                                (STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)
        WIN32_EXIT_CODE    : 0  (0x0)
        SERVICE_EXIT_CODE  : 0  (0x0)
        CHECKPOINT         : 0x0
        WAIT_HINT          : 0x0
`
	tests := []struct {
		name string
		out  string
		want serviceQuery
	}{
		{"running", running, serviceQuery{Installed: true, State: "RUNNING"}},
		{"running CRLF", crlf(running), serviceQuery{Installed: true, State: "RUNNING"}},
		{"stopped", "SERVICE_NAME: SMTPSVC\n  STATE : 1  STOPPED\n",
			serviceQuery{Installed: true, State: "STOPPED"}},
		{"lower case", "  state: 4 running", serviceQuery{Installed: true, State: "RUNNING"}},
		{"number only", "STATE : 7", serviceQuery{Installed: true, State: "PAUSED"}},
		{"not installed", crlf("[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\n\n" +
			"The specified service does not exist as an installed service.\n"), serviceQuery{}},
		{"empty", "", serviceQuery{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := parseSCQuery(tt.out); got != tt.want {
				t.Errorf("wrong result\ngot: %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestParseVer(t *testing.T) {
	tests := []struct {
		name, out, want, version string
	}{
		{"Windows 2000", "\r\nMicrosoft Windows 2000 [Version 5.00.2195]\r\n",
			"Microsoft Windows 2000 [Version 5.00.2195]", "5.00.2195"},
		{"Windows Server 2003", "\r\nMicrosoft Windows [Version 5.2.3790]\r\n",
			"Microsoft Windows [Version 5.2.3790]", "5.2.3790"},
		{"Windows Server 2019", "\nMicrosoft Windows [Version 10.0.17763.1697]\n",
			"Microsoft Windows [Version 10.0.17763.1697]", "10.0.17763.1697"},
		{"unknown", "something else\n", "something else", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := parseVer(tt.out)
			if got != tt.want {
				t.Errorf("wrong result\ngot: %q\nwant: %q", got, tt.want)
			}
			if v := windowsVersion(got); v != tt.version {
				t.Errorf("wrong version\ngot: %q\nwant: %q", v, tt.version)
			}
		})
	}
}

// mdutilEnum is an mdutil enum_all of a service with a value set at the
// service key (with INHERIT) and at instance 2 only; the padding differs
// from line to line on purpose.
const mdutilEnum = `KeyType                       : [S]     (STRING) "IIsSmtpService"
36998                         : [IS]    (DWORD)  0x757441={7697473}
[/smtpsvc/1]
KeyType                       : [S]     (STRING) "IIsSmtpServer"
ServerComment : [IS] (STRING) "Default SMTP Virtual Server"
ServerState                   : [S]     (DWORD)  0x2={2}
ServerBindings                : [IS]    (MULTISZ) ":25:"
[/smtpsvc/2]
KeyType : [S] (STRING) "IIsSmtpServer"
ServerBindings                : [IS]    (MULTISZ) "10.0.0.5:2525:" ":2526:"
36998 : [IS] (DWORD) 0x757041={7696449}
[/smtpsvc/Info]
KeyType                       : [S]     (STRING) "IIsSmtpInfo"
MajorVersion                  : [S]     (DWORD)  0x6={6}
`

// adsutilEnum is the same metabase as adsutil.vbs ENUM_ALL prints it, with
// a list value continued on the next lines.
const adsutilEnum = `KeyType                         : (STRING) "IIsSmtpService"
SmtpInboundCommandSupportOptions: (INTEGER) 7697473

[/smtpsvc/1]
KeyType                         : (STRING) "IIsSmtpServer"
ServerBindings                  : (LIST) (1 Items)
  ":25:"

[/smtpsvc/2]
KeyType                         : (STRING) "IIsSmtpServer"
ServerBindings                  : (LIST) (2 Items)
  "10.0.0.5:2525:"
  ":2526:"
SmtpInboundCommandSupportOptions: (INTEGER) 7696449
`

func TestParseEnum(t *testing.T) {
	type node struct {
		value    uint32
		hasValue bool
		inherits bool
		bindings []string
	}
	want := map[string]node{
		"/lm/smtpsvc":   {value: 0x757441, hasValue: true, inherits: true},
		"/lm/smtpsvc/1": {bindings: []string{":25:"}},
		"/lm/smtpsvc/2": {value: 0x757041, hasValue: true, inherits: true,
			bindings: []string{"10.0.0.5:2525:", ":2526:"}},
	}
	tests := []struct{ name, out string }{
		{"mdutil", mdutilEnum},
		{"mdutil CRLF", crlf(mdutilEnum)},
		{"adsutil", adsutilEnum},
		{"adsutil CRLF", crlf(adsutilEnum)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mb := parseEnum(tt.out, "smtpsvc")
			for path, w := range want {
				n := mb.Nodes[path]
				if n == nil {
					t.Fatalf("node %s missing; have %v", path, keys(mb.Nodes))
				}
				got := node{}
				if v := n.Props[verb.PropertyID]; v != nil {
					got.value, got.hasValue, got.inherits = v.Num, v.HasNum, v.inherits()
				}
				if b := n.Props[propServerBindings]; b != nil {
					got.bindings = b.Strings
				}
				if !reflect.DeepEqual(got, w) {
					t.Errorf("wrong node %s\ngot: %+v\nwant: %+v", path, got, w)
				}
			}
			if len(mb.Errors) != 0 {
				t.Errorf("unexpected errors: %q", mb.Errors)
			}
		})
	}
}

func TestParseEnum_attributes(t *testing.T) {
	mb := parseEnum("36998 : [S] (DWORD) 0x7574c1={7697601}\n", "/LM/SmtpSvc")
	v := mb.Nodes["/lm/smtpsvc"].Props[verb.PropertyID]
	if v == nil || v.inherits() {
		t.Fatalf("wrong result\ngot: %+v\nwant: a value that does not inherit", v)
	}
}

func TestParseEnum_errors(t *testing.T) {
	out := crlf("Error: EnumData - HRES(0x80070005) E_ACCESSDENIED\n")
	mb := parseEnum(out, "smtpsvc")
	if len(mb.Errors) != 1 || !accessDenied(out) {
		t.Errorf("wrong result\ngot: %q\nwant: one access denied error", mb.Errors)
	}
}

func TestNormPath(t *testing.T) {
	for _, in := range []string{"smtpsvc/1", "/smtpsvc/1", "/LM/SmtpSvc/1/", `LM\SMTPSVC\1`} {
		if got := normPath(in); got != "/lm/smtpsvc/1" {
			t.Errorf("wrong result for %q\ngot: %s\nwant: /lm/smtpsvc/1", in, got)
		}
	}
}

func TestBindingPorts(t *testing.T) {
	got := bindingPorts([]string{":25:", "10.0.0.5:2525:mail.example", ":25:", "bad", ":x:"})
	if want := []int{25, 2525}; !reflect.DeepEqual(got, want) {
		t.Errorf("wrong result\ngot: %v\nwant: %v", got, want)
	}
}

func TestNetFailure(t *testing.T) {
	tests := []struct{ name, out, want string }{
		{"start failed", crlf("The Simple Mail Transfer Protocol (SMTP) service is starting.\n" +
			"The Simple Mail Transfer Protocol (SMTP) service could not be started.\n\n" +
			"A system error has occurred.\n\nSystem error 1067 has occurred.\n\n" +
			"The process terminated unexpectedly.\n"),
			"The Simple Mail Transfer Protocol (SMTP) service could not be started. " +
				"A system error has occurred. System error 1067 has occurred. " +
				"The process terminated unexpectedly."},
		{"access denied", crlf("System error 5 has occurred.\n\nAccess is denied.\n"),
			"System error 5 has occurred. Access is denied."},
		{"success", crlf("The Simple Mail Transfer Protocol (SMTP) service is starting.\n" +
			".\n..\nThe Simple Mail Transfer Protocol (SMTP) service was started " +
			"successfully.\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := netFailure(tt.out); got != tt.want {
				t.Errorf("wrong result\ngot: %q\nwant: %q", got, tt.want)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
