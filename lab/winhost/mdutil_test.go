package winhost

import (
	"strings"
	"testing"
)

const md = testMdutil + " "

func TestMdutil(t *testing.T) {
	notFound := result{"Error: GetData - HRES(0x800cc801) MD_ERROR_DATA_NOT_FOUND\r\n", "", 1}
	tests := []struct {
		line string
		want result
	}{
		{md + "get -path:smtpsvc/1 -prop:36998",
			result{"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", "", 0}},
		{md + "GET -path:/LM/SmtpSvc/1 -prop:36998",
			result{"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", "", 0}},
		{md + `get smtpsvc\1\36998`,
			result{"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", "", 0}},
		{md + "get MAIL01/smtpsvc/1/36998",
			result{"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", "", 0}},
		{md + "get -path:smtpsvc/2 -prop:36998", notFound},
		{md + "get -path:smtpsvc -prop:36998", notFound},
		{md + "get -path:smtpsvc/1 -prop:ServerBindings",
			result{"ServerBindings : [IS] (MULTISZ) \":25:\"\r\n", "", 0}},
		{md + "get -path:smtpsvc/1 -prop:1016",
			result{"ServerState : [S] (DWORD) 0x2={Started}\r\n", "", 0}},
		{md + "get -path:smtpsvc/9 -prop:36998",
			result{"Error: OpenKey - HRES(0x80070003) ERROR_PATH_NOT_FOUND\r\n", "", 1}},
		{md + "get -path:smtpsvc/1 -prop:NoSuchThing", result{"Error: property " +
			"\"NoSuchThing\" is not known; give its numeric ID, e.g. -prop:36998\r\n", "", 1}},
		{md + "set -path:smtpsvc/1 -prop:36998 -utype:UT_SERVER -dtype:DWORD " +
			"-attrib:INHERIT -value:0x757041",
			result{"36998 : [IS] (DWORD) 0x757041={7696449}\r\n", "", 0}},
		{md + "set -path:smtpsvc/1 -prop:36998 -value:3503297",
			result{"36998 : [IS] (DWORD) 0x3574c1={3503297}\r\n", "", 0}},
		{md + "set smtpsvc/2/36998 7696449",
			result{"36998 : [IS] (DWORD) 0x757041={7696449}\r\n", "", 0}},
		{md + "set -path:smtpsvc/1 -prop:36998 -value:abc",
			result{"Error: value \"abc\" is not a DWORD: write decimal or 0x hex\r\n", "", 1}},
		{md + "set -path:smtpsvc/1 -prop:36998",
			result{"Error: no value given; add -value:VALUE\r\n", "", 1}},
		{md + "set -path:smtpsvc/1 -prop:36998 -dtype:QWORD -value:1", result{"Error: " +
			"data type \"QWORD\" is not one of DWORD, STRING, BINARY, EXPANDSZ, " +
			"MULTISZ\r\n", "", 1}},
		{md + "delete -path:smtpsvc/1 -prop:36998", result{"", "", 0}},
		{md + "delete -path:smtpsvc/2 -prop:36998", result{"Error: DeleteData - " +
			"HRES(0x800cc801) MD_ERROR_DATA_NOT_FOUND\r\n", "", 1}},
	}
	for _, tt := range tests {
		t.Run(tt.line[len(md):], func(t *testing.T) {
			h := newHost(t, nil)
			check(t, tt.line, run(h, tt.line), tt.want)
		})
	}
}

func TestMdutilUsage(t *testing.T) {
	h := newHost(t, nil)
	for _, line := range []string{testMdutil, md + "frobnicate smtpsvc"} {
		r := run(h, line)
		if r.code != 1 || !strings.HasPrefix(r.stdout, "Metabase command line utility\r\n") {
			t.Errorf("wrong result for %s\ngot:  exit %d %q\nwant: exit 1 and the usage text",
				line, r.code, r.stdout)
		}
	}
}

// TestMdutilWrites checks that writes are real: a later GET and the live
// value see them, and DELETE makes the instance inherit again.
func TestMdutilWrites(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.ServiceValue = u32(3503297) })

	mustRun(t, h, md+"set -path:smtpsvc/2 -prop:36998 -dtype:DWORD -value:0x757041")
	got := mustRun(t, h, md+"get -path:smtpsvc/2 -prop:36998")
	if want := "36998 : [IS] (DWORD) 0x757041={7696449}\r\n"; got != want {
		t.Errorf("wrong result\ngot:  %q\nwant: %q", got, want)
	}
	if v, src := h.Value(2); v != 0x757041 || src != "/LM/SmtpSvc/2" {
		t.Errorf("wrong result\ngot:  %#x from %s\nwant: 0x757041 from /LM/SmtpSvc/2", v, src)
	}

	mustRun(t, h, md+"delete -path:smtpsvc/2 -prop:36998")
	if v, src := h.Value(2); v != 3503297 || src != "/LM/SmtpSvc" {
		t.Errorf("wrong result\ngot:  %d from %s\nwant: 3503297 from /LM/SmtpSvc", v, src)
	}

	// A key can be deleted; the instance is then gone from the metabase.
	mustRun(t, h, md+"delete smtpsvc/2")
	if _, src := h.Value(2); src != "" {
		t.Errorf("wrong result\ngot:  instance 2 still there (%s)\nwant: deleted", src)
	}
}

func TestMdutilFaults(t *testing.T) {
	set := md + "set -path:smtpsvc/1 -prop:36998 -value:0x757041"
	tests := []struct {
		name   string
		faults Faults
		line   string
		want   result
		value  uint32
	}{
		{"write denied", Faults{WriteDenied: true}, set, result{"Error: SetData - " +
			"HRES(0x80070005) ERROR_ACCESS_DENIED\r\n", "", 1}, 7697601},
		{"delete denied", Faults{WriteDenied: true}, md + "delete smtpsvc/1/36998",
			result{"Error: DeleteData - HRES(0x80070005) ERROR_ACCESS_DENIED\r\n", "", 1},
			7697601},
		{"not sticky", Faults{WriteNotSticky: true}, set,
			result{"36998 : [IS] (DWORD) 0x757041={7696449}\r\n", "", 0}, 7697601},
		{"reads still work", Faults{WriteDenied: true}, md + "get smtpsvc/1/36998",
			result{"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", "", 0}, 7697601},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, nil)
			h.SetFaults(tt.faults)
			check(t, tt.line, run(h, tt.line), tt.want)
			if v, _ := h.Value(1); v != tt.value {
				t.Errorf("wrong result\ngot:  value %d\nwant: %d", v, tt.value)
			}
		})
	}
}

func TestMdutilEnum(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.ServiceValue = u32(3503297) })
	golden(t, "mdutil_enum_all.golden", mustRun(t, h, md+"enum_all -path:smtpsvc"))
	golden(t, "mdutil_enum.golden", mustRun(t, h, md+"ENUM smtpsvc"))
}
