package scan

import (
	"strings"
	"testing"
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		banner string
		ehlo   []string
		want   Server
	}{
		{"220 mail.example.com Microsoft ESMTP MAIL Service, Version: 6.0.3790.3959 ready at  " +
			"Sun, 2 Dec 2009 21:56:01 +0000", nil,
			Server{FamilyIIS, "Microsoft IIS SMTP service", "6.0.3790.3959",
				"Windows Server 2003"}},
		{"220 h Microsoft ESMTP MAIL Service, Version: 7.5.7601.17514 ready at  x", nil,
			Server{FamilyIIS, "Microsoft IIS SMTP service", "7.5.7601.17514",
				"Windows Server 2008 R2"}},
		{"220 h Microsoft ESMTP MAIL Service, Version: 10.0.14393.4169 ready at  x", nil,
			Server{FamilyIIS, "Microsoft IIS SMTP service", "10.0.14393.4169",
				"Windows Server 2016"}},
		{"220 h Microsoft ESMTP MAIL Service, Version: 5.0.2195.6713 ready at  x",
			[]string{"TURN", "XEXCH50"},
			Server{FamilyExchange2003, "Microsoft Exchange 2000/2003 on the IIS SMTP service",
				"5.0.2195.6713", "Windows 2000"}},
		{"220 h Microsoft ESMTP MAIL Service ready at Sun, 1 Mar 2026 12:00:00 +0000", nil,
			Server{Family: FamilyExchange, Product: "Microsoft Exchange 2007 or later"}},
		{"220 mx.example.org ESMTP Postfix (Debian/GNU)", nil,
			Server{Family: FamilyPostfix, Product: "Postfix"}},
		{"220 mx.example.org ESMTP Exim 4.96 Sun, 01 Mar 2026 12:00:00 +0000", nil,
			Server{FamilyExim, "Exim", "4.96", ""}},
		{"220 mx.example.org ESMTP Sendmail 8.15.2/8.15.2; Sun, 1 Mar 2026", nil,
			Server{FamilySendmail, "Sendmail", "8.15.2", ""}},
		{"220 mx.example.org ESMTP ready", nil, Server{Family: FamilyUnknown, Product: "unknown"}},
		{"", nil, Server{Family: FamilyUnknown, Product: "unknown"}},
	}
	for _, tt := range tests {
		t.Run(tt.banner, func(t *testing.T) {
			got := identify(&Result{Banner: tt.banner, EHLO: tt.ehlo})
			if got != tt.want {
				t.Errorf("wrong result\ngot:  %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestWindowsFor(t *testing.T) {
	tests := map[string]string{
		"7.0.6001.18000":  "Windows Server 2008",
		"7.0.6002.18264":  "Windows Server 2008 SP2",
		"7.5":             "Windows Server 2008 R2",
		"8.5.9600.16384":  "Windows Server 2012 R2",
		"10.0.17763.1697": "Windows Server 2019",
		"10.0.20348.1":    "Windows Server 2022",
		"10.0.19041.1":    "Windows Server 2016 or later",
		"4.0.1":           "",
		"60.1":            "",
	}
	for in, want := range tests {
		if got := windowsFor(in); got != want {
			t.Errorf("wrong result for %s\ngot:  %q\nwant: %q", in, got, want)
		}
	}
}

func TestResult_Accepts(t *testing.T) {
	tests := []struct {
		code int
		want bool
	}{
		{250, true}, {252, true}, {354, true}, {421, false}, {450, true}, {458, true},
		{459, true}, {500, false}, {502, false}, {504, false}, {530, true}, {550, false},
		{554, false},
	}
	for _, tt := range tests {
		r := &Result{Verbs: map[string]Reply{"ETRN": {Code: tt.code}}}
		if got := r.Accepts("etrn"); got != tt.want {
			t.Errorf("wrong result for %d\ngot:  %v\nwant: %v", tt.code, got, tt.want)
		}
	}
	if (&Result{}).Accepts("TURN") {
		t.Errorf("wrong result\ngot:  a verb never tried is accepted\nwant: not accepted")
	}
}

// TestRemedy_everyFamily checks that every finding has a remedy on every
// family, and that the family texts are the ones used.
func TestRemedy_everyFamily(t *testing.T) {
	families := []Family{FamilyIIS, FamilyExchange2003, FamilyExchange, FamilyPostfix,
		FamilyExim, FamilySendmail, FamilyUnknown}
	for _, k := range kinds {
		for _, f := range families {
			if remedy(k.id, f) == "" {
				t.Errorf("wrong result\ngot:  no remedy for %s on %s\nwant: a remedy", k.id, f)
			}
		}
	}

	checks := []struct {
		id     string
		family Family
		want   string
	}{
		{"SV-ATRN", FamilyIIS, "Clear bit 0x400"},
		{"SV-ETRN-HIDDEN", FamilyPostfix, "Hiding the keyword is not enough"},
		{"SV-ATRN", FamilyExim, "acl_smtp_atrn"},
		{"SV-ETRN", FamilySendmail, "noetrn"},
		{"SV-TURN", FamilyExchange2003, "msExchSmtpInboundCommandSupportOptions"},
		{"SV-TLS-OLD", FamilyPostfix, "smtpd_tls_protocols"},
	}
	for _, c := range checks {
		if got := remedy(c.id, c.family); !strings.Contains(got, c.want) {
			t.Errorf("wrong remedy for %s on %s\ngot:  %q\nwant: containing %q", c.id,
				c.family, got, c.want)
		}
	}
}
