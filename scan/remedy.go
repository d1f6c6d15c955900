package scan

import (
	"fmt"
	"strings"
)

// subject maps a finding ID to the thing its remedy changes.
func subject(id string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(id, "SV-"), "-HIDDEN")
	switch s {
	case "TLS-FAIL", "TLS-EXPIRED", "NOTLS":
		return "TLS"
	case "HELP-VERBS":
		return "HELP"
	}
	return s
}

// Remedies that do not depend on the family.
const (
	notHere = "does not implement %s, so something else answers on this port (a " +
		"gateway, a filter or a proxy in front of the server): find it and switch " +
		"the command off there."
	iisPlan = " in a *.smtp.hcl file, then run `smtpverbs plan` and `smtpverbs apply`; " +
		"apply restarts SMTPSVC and checks the EHLO reply again."
	ex2003 = "Exchange 2000/2003 copies msExchSmtpInboundCommandSupportOptions from " +
		"Active Directory over the metabase (DS2MB), so a metabase change does not " +
		"last: in ADSI Edit, clear %s in that attribute of the SMTP virtual server " +
		"object, then restart SMTPSVC. smtpverbs reports such a host as one it must " +
		"not change."
)

// remedies holds the remedy per family and subject. Missing entries fall
// back to the FamilyUnknown text.
var remedies = map[Family]map[string]string{
	FamilyIIS: {
		"TURN": "Clear bit 0x400 of SmtpInboundCommandSupportOptions (TURN and ATRN " +
			`share it): write disable = ["TURN", "ATRN"], or baselines = ["pci"], ` +
			"for this server" + iisPlan,
		"ETRN": "Clear bit 0x80 of SmtpInboundCommandSupportOptions: write " +
			`disable = ["ETRN"], or baselines = ["pci"], for this server` + iisPlan,
		"HELP": "Clear the verb's bit as for an advertised verb and restart SMTPSVC; " +
			"if HELP still lists it, record the scanner exception with the EHLO and " +
			"command replies as evidence that the verb is off.",
		"VRFY": "No metabase bit controls VRFY on IIS, whose own reply (252) confirms " +
			"nothing; a 250 reply points at an Exchange sink or a gateway in front " +
			"of SMTPSVC: configure that.",
		"EXPN": "IIS SMTP does not expand lists; an EXPN that works points at an " +
			"Exchange sink or a gateway in front of SMTPSVC: configure that.",
		"RELAY": "In IIS Manager, open the SMTP virtual server's Properties > Access > " +
			`Relay, choose "Only the list below" with no computers in it, and keep ` +
			`"Allow all computers which successfully authenticate to relay".`,
		"TLS": "Bind a valid certificate to the SMTP virtual server (Properties > " +
			"Access > Certificate) so that STARTTLS works; smtpverbs does not manage TLS.",
		"TLS-OLD": "Turn off TLS 1.0 and 1.1 for the server side of SCHANNEL " +
			`(HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols) ` +
			"and restart the server.",
	},
	FamilyExchange2003: {
		"TURN": fmt.Sprintf(ex2003, "bit 0x400 (TURN and ATRN)"),
		"ETRN": fmt.Sprintf(ex2003, "bit 0x80 (ETRN)"),
		"RELAY": "In Exchange System Manager, open the SMTP virtual server's " +
			"Properties > Access > Relay and allow only computers that authenticate.",
	},
	FamilyExchange: {
		"TURN": "Exchange 2007 and later " + fmt.Sprintf(notHere, "TURN or ATRN"),
		"ETRN": "Exchange 2007 and later " + fmt.Sprintf(notHere, "ETRN"),
		"RELAY": "Remove the anonymous relay right (ms-Exch-SMTP-Accept-Any-Recipient " +
			`for NT AUTHORITY\ANONYMOUS LOGON) from the receive connector with ` +
			"Remove-ADPermission.",
	},
	FamilyPostfix: {
		"TURN": "Postfix " + fmt.Sprintf(notHere, "TURN or ATRN"),
		"ETRN": "Set smtpd_etrn_restrictions = reject (postconf -e " +
			"'smtpd_etrn_restrictions = reject', then postfix reload). " +
			"smtpd_discard_ehlo_keywords = etrn hides the keyword as well, but " +
			"hiding alone leaves ETRN working.",
		"VRFY": "Set disable_vrfy_command = yes (postconf -e 'disable_vrfy_command = " +
			"yes', then postfix reload).",
		"EXPN": "Postfix " + fmt.Sprintf(notHere, "EXPN"),
		"RELAY": "Set smtpd_relay_restrictions = permit_mynetworks, " +
			"permit_sasl_authenticated, reject_unauth_destination, keep mynetworks " +
			"to hosts you trust, then postfix reload.",
		"TLS": "Point smtpd_tls_cert_file and smtpd_tls_key_file at a valid " +
			"certificate and key, set smtpd_tls_security_level = may, then postfix reload.",
		"TLS-OLD": "Set smtpd_tls_protocols = >=TLSv1.2 and " +
			"smtpd_tls_mandatory_protocols = >=TLSv1.2, then postfix reload.",
	},
	FamilyExim: {
		"TURN": "Exim " + fmt.Sprintf(notHere, "TURN"),
		"ATRN": "Unset acl_smtp_atrn (Exim then refuses ATRN) or point it at an ACL " +
			"that denies, then send the daemon SIGHUP.",
		"ETRN": "Unset acl_smtp_etrn (Exim then refuses ETRN and stops advertising " +
			"it) or point it at an ACL that denies, then send the daemon SIGHUP.",
		"VRFY": "Unset acl_smtp_vrfy or point it at an ACL that denies, then send " +
			"the daemon SIGHUP.",
		"EXPN": "Unset acl_smtp_expn or point it at an ACL that denies, then send " +
			"the daemon SIGHUP.",
		"RELAY": "Make acl_smtp_rcpt accept unauthenticated clients only for " +
			"domains = +local_domains : +relay_to_domains, keep relay_from_hosts " +
			"to hosts you trust, then send the daemon SIGHUP.",
		"TLS": "Set tls_certificate and tls_privatekey to a valid certificate and " +
			"key and tls_advertise_hosts = *, then send the daemon SIGHUP.",
	},
	FamilySendmail: {
		"TURN": "Sendmail " + fmt.Sprintf(notHere, "TURN or ATRN"),
		"ETRN": "Add noetrn to the privacy flags, e.g. " +
			"define(`confPRIVACY_FLAGS', `goaway,noetrn')dnl in sendmail.mc " +
			"(goaway does not include noetrn); rebuild sendmail.cf and restart.",
		"VRFY": "Add novrfy to confPRIVACY_FLAGS in sendmail.mc; rebuild sendmail.cf " +
			"and restart.",
		"EXPN": "Add noexpn to confPRIVACY_FLAGS in sendmail.mc; rebuild sendmail.cf " +
			"and restart.",
		"RELAY": "Remove FEATURE(`promiscuous_relay') and relay_entire_domain, and " +
			"RELAY entries in the access database beyond your own networks; rebuild " +
			"and restart.",
		"TLS": "Set confSERVER_CERT and confSERVER_KEY in sendmail.mc to a valid " +
			"certificate and key; rebuild sendmail.cf and restart.",
	},
	FamilyUnknown: {
		"TURN": "Switch TURN off in the server's configuration; if it cannot be, " +
			"block the command at a gateway.",
		"ATRN": "Switch ATRN off unless a documented business need keeps it.",
		"ETRN": "Switch ETRN off, or allow it only from the hosts that need it and " +
			"document why.",
		"HELP": "Make the HELP text match what the server offers, or record the " +
			"scanner exception with the command replies as evidence.",
		"VRFY": "Make VRFY answer 252 (cannot verify) or refuse it.",
		"EXPN": "Switch EXPN off.",
		"RELAY": "Allow relaying only for clients that authenticate and for " +
			"networks you trust.",
		"TLS":     "Offer STARTTLS with a valid, current certificate.",
		"TLS-OLD": "Allow TLS 1.2 and later only.",
	},
}

// remedy returns the remedy for finding id on a server of family f.
func remedy(id string, f Family) string {
	s := subject(id)
	text := lookupRemedy(f, s)
	if text == "" && s == "ATRN" {
		// Where TURN and ATRN share a setting, the TURN text covers both.
		text = lookupRemedy(f, "TURN")
	}
	if strings.HasSuffix(id, "-HIDDEN") {
		text = "Hiding the keyword is not enough; switch the command off. " + text
	}
	return text
}

// lookupRemedy finds the family's text for s, else the generic one.
func lookupRemedy(f Family, s string) string {
	if text, ok := remedies[f][s]; ok {
		return text
	}
	if s == "ATRN" {
		if _, ok := remedies[f]["TURN"]; ok {
			return ""
		}
	}
	return remedies[FamilyUnknown][s]
}
