package winhost

import "testing"

func TestAdsutil(t *testing.T) {
	prop := "smtpsvc/1/SmtpInboundCommandSupportOptions"
	tests := []struct {
		line string
		want result
	}{
		{adsutilCmd + "GET " + prop,
			result{"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", "", 0}},
		{adsutilCmd + "get /smtpsvc/1/smtpinboundcommandsupportoptions",
			result{"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", "", 0}},
		{adsutilCmd + "GET smtpsvc/2/SmtpInboundCommandSupportOptions",
			result{"The parameter \"SmtpInboundCommandSupportOptions\" is not set at this " +
				"node.\r\n", "", -2147463162}},
		{adsutilCmd + "GET smtpsvc/1/ServerComment", result{
			"ServerComment                   : (STRING) \"Default SMTP Virtual Server\"\r\n",
			"", 0}},
		{adsutilCmd + "GET smtpsvc/1/ServerAutoStart",
			result{"ServerAutoStart                 : (BOOLEAN) True\r\n", "", 0}},
		{adsutilCmd + "GET smtpsvc/2/ServerBindings", result{
			"ServerBindings                  : (LIST)  (1 Items)\r\n  \":26:\"\r\n", "", 0}},
		{adsutilCmd + "GET smtpsvc/9/SmtpInboundCommandSupportOptions", result{
			"The path requested could not be found.\r\nErrNumber: -2147024893 (0x80070003)\r\n" +
				"Error Trying To GET the Object (GetObject Failed): smtpsvc/9\r\n", "",
			-2147024893}},
		{adsutilCmd + "GET smtpsvc/1/Bogus", result{"\r\nErrNumber: -2147463168 " +
			"(0x80005000)\r\nError Trying To GET the Schema of the property: " +
			"IIS://localhost/Schema/Bogus\r\n", "", -2147463168}},
		{adsutilCmd + "SET " + prop + " 7696449",
			result{"SmtpInboundCommandSupportOptions: (Long) 7696449\r\n", "", 0}},
		{adsutilCmd + "SET " + prop + " 0x757041",
			result{"SmtpInboundCommandSupportOptions: (Long) 7696449\r\n", "", 0}},
		{adsutilCmd + "SET smtpsvc/1/ServerBindings :25: :2525:", result{
			"ServerBindings                  : (LIST) \":25:\" \":2525:\" \r\n", "", 0}},
		{adsutilCmd + "SET " + prop, result{
			"Error: Wrong number of Args for the SET command\r\n", "", 2}},
		{adsutilCmd + "DELETE " + prop,
			result{"deleted property \"SmtpInboundCommandSupportOptions\"\r\n", "", 0}},
		{adsutilCmd + "STOP_SERVER smtpsvc/2",
			result{"Server smtpsvc/2 Successfully STOPPED\r\n", "", 0}},
		{adsutilCmd + "START_SERVER smtpsvc/1",
			result{"Server smtpsvc/1 Successfully STARTED\r\n", "", 0}},
		{adsutilCmd + "FROB x", result{"Command not recognized: FROB\r\n" +
			"For help, just type \"Cscript.exe adsutil.vbs\".\r\n", "", 2}},
		{adsutilCmd + "GET " + prop + " -s:MAIL01",
			result{"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", "", 0}},
		{`CSCRIPT //NoLogo c:\inetpub\adminscripts\ADSUTIL.VBS get ` + prop,
			result{"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", "", 0}},
		{`cscript //nologo C:\Other\adsutil.vbs GET ` + prop, result{"",
			"Input Error: Can not find script file \"C:\\Other\\adsutil.vbs\".\r\n", 1}},
		{`cscript ` + testAdsutil + ` GET ` + prop, result{
			"Microsoft (R) Windows Script Host Version 5.812\r\n" +
				"Copyright (C) Microsoft Corporation. All rights reserved.\r\n\r\n" +
				"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			h := newHost(t, nil)
			check(t, tt.line, run(h, tt.line), tt.want)
		})
	}
}

func TestAdsutilWrites(t *testing.T) {
	h := newHost(t, nil)
	mustRun(t, h, adsutilCmd+"SET smtpsvc/2/SmtpInboundCommandSupportOptions 7696449")
	if v, src := h.Value(2); v != 7696449 || src != "/LM/SmtpSvc/2" {
		t.Errorf("wrong result\ngot:  %d from %s\nwant: 7696449 from /LM/SmtpSvc/2", v, src)
	}
	mustRun(t, h, adsutilCmd+"DELETE smtpsvc/2/SmtpInboundCommandSupportOptions")
	if v, src := h.Value(2); v != 7697601 || src != "default" {
		t.Errorf("wrong result\ngot:  %d from %s\nwant: 7697601 from default", v, src)
	}
}

func TestAdsutilFaults(t *testing.T) {
	set := adsutilCmd + "SET smtpsvc/1/SmtpInboundCommandSupportOptions 7696449"
	tests := []struct {
		name   string
		faults Faults
		want   result
	}{
		{"denied", Faults{WriteDenied: true}, result{
			"Access is denied for the requested path or property.\r\n" +
				"ErrNumber: -2147024891 (0x80070005)\r\n" +
				"Error Trying To SET the Property: SmtpInboundCommandSupportOptions\r\n",
			"", -2147024891}},
		{"not sticky", Faults{WriteNotSticky: true},
			result{"SmtpInboundCommandSupportOptions: (Long) 7696449\r\n", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHost(t, nil)
			h.SetFaults(tt.faults)
			check(t, set, run(h, set), tt.want)
			if v, _ := h.Value(1); v != 7697601 {
				t.Errorf("wrong result\ngot:  value %d\nwant: unchanged 7697601", v)
			}
		})
	}
}

// TestAdsutilServer checks that STOP_SERVER and START_SERVER act on one
// virtual server inside the running service, and that a started server
// takes the current metabase value.
func TestAdsutilServer(t *testing.T) {
	h := newHost(t, nil)
	mustRun(t, h, adsutilCmd+"STOP_SERVER smtpsvc/1")
	if got := h.Running(); len(got.Instances) != 1 || got.Instances[0].ID != 2 {
		t.Fatalf("wrong result\ngot:  %+v\nwant: only instance 2 running", got)
	}

	mustRun(t, h, adsutilCmd+"SET smtpsvc/1/SmtpInboundCommandSupportOptions 7696449")
	mustRun(t, h, adsutilCmd+"START_SERVER smtpsvc/1")
	got := h.Running()
	if len(got.Instances) != 2 || got.Instances[0].Flags != 7696449 {
		t.Fatalf("wrong result\ngot:  %+v\nwant: instance 1 running with 7696449", got)
	}

	mustRun(t, h, "net stop smtpsvc")
	r := run(h, adsutilCmd+"START_SERVER smtpsvc/1")
	want := result{"The service has not been started.\r\nErrNumber: -2147023834 " +
		"(0x80070426)\r\nError trying to START the server: smtpsvc/1\r\n", "", -2147023834}
	check(t, "START_SERVER with SMTPSVC stopped", r, want)
}

func TestAdsutilEnum(t *testing.T) {
	h := newHost(t, func(s *Settings) { s.ServiceValue = u32(3503297) })
	golden(t, "adsutil_enum_all.golden", mustRun(t, h, adsutilCmd+"ENUM_ALL smtpsvc"))
	golden(t, "adsutil_enum.golden", mustRun(t, h, adsutilCmd+"ENUM /smtpsvc/1"))
}
