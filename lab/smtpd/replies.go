package smtpd

import (
	"fmt"
	"strings"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// Reply texts shared by several commands. Those marked ASSUMPTION are
// explained in the package documentation.
const (
	replyUnrecognized = "500 5.3.3 Unrecognized command"
	replyLineTooLong  = "500 5.5.2 Line too long"            // ASSUMPTION
	replyBadAddress   = "501 5.5.4 Invalid Address"          // ASSUMPTION
	replyNeedHello    = "503 5.5.2 Send hello first"         // ASSUMPTION
	replyNeedMail     = "503 5.5.2 Need mail command"        // ASSUMPTION
	replyNeedRcpt     = "503 5.5.2 Need rcpt command"        // ASSUMPTION
	replyNestedMail   = "503 5.5.2 Sender already specified" // ASSUMPTION
	replyNotAuth      = "530 5.7.1 Client was not authenticated"
	replyAuthType     = "504 5.7.4 Unrecognized authentication type"
	replyTooBig       = "552 5.3.4 Message size exceeds fixed maximum message size"
	replyStartData    = "354 Start mail input; end with <CRLF>.<CRLF>"
	replyReset        = "250 2.0.0 Resetting"
	replyNoop         = "250 2.0.0 OK" // ASSUMPTION
)

// dateLayout is the RFC 822 date as IIS prints it in its banner.
const dateLayout = "Mon, 2 Jan 2006 15:04:05 -0700"

// banner returns the 220 greeting. IIS puts two spaces after "ready at";
// the Exchange 2007 and later banner has no version and one space.
func banner(cfg Config, now time.Time) string {
	date := now.Format(dateLayout)
	if cfg.Version == "" {
		return fmt.Sprintf("220 %s Microsoft ESMTP MAIL Service ready at %s", cfg.Hostname, date)
	}
	return fmt.Sprintf("220 %s Microsoft ESMTP MAIL Service, Version: %s ready at  %s",
		cfg.Hostname, cfg.Version, date)
}

// ehloKeywords returns the EHLO extension lines in IIS's order, without
// codes: the controllable verbs where their bits are set, the fixed ones
// around them, and the Exchange additions from KB 257569.
func ehloKeywords(cfg Config) []string {
	f := cfg.Flags
	var kw []string
	add := func(on bool, k ...string) {
		if on {
			kw = append(kw, k...)
		}
	}

	add(f.Has(verb.TURN), verb.TURN.Keyword)
	add(cfg.Exchange && f.Has(verb.ATRN), verb.ATRN.Keyword)
	add(true, fmt.Sprintf("SIZE %d", MaxMessageSize))
	add(f.Has(verb.ETRN), verb.ETRN.Keyword)
	add(true, "PIPELINING")
	add(f.Has(verb.DSN), verb.DSN.Keyword)
	add(f.Has(verb.ENHANCEDSTATUSCODES), verb.ENHANCEDSTATUSCODES.Keyword)
	add(f.Has(verb.EightBitMIME), verb.EightBitMIME.Keyword)
	add(f.Has(verb.BINARYMIME), verb.BINARYMIME.Keyword)
	add(f.Has(verb.CHUNKING), verb.CHUNKING.Keyword)
	add(true, "VRFY")
	add(cfg.Exchange, "X-EXPS GSSAPI NTLM LOGIN", "X-EXPS=LOGIN",
		"AUTH GSSAPI NTLM LOGIN", "AUTH=LOGIN", "XEXCH50", "X-LINK2STATE")
	return kw
}

// ehloReply returns the full multi-line EHLO reply for a client at ip.
func ehloReply(cfg Config, ip string) []string {
	kw := ehloKeywords(cfg)
	lines := make([]string, 0, len(kw)+2)
	lines = append(lines, fmt.Sprintf("250-%s Hello [%s]", cfg.Hostname, ip))
	for _, k := range kw {
		lines = append(lines, "250-"+k)
	}
	return append(lines, "250 OK")
}

// helpReply returns the HELP text: IIS's command list, trimmed to what this
// server offers (ASSUMPTION: see the package documentation).
func helpReply(cfg Config) []string {
	f := cfg.Flags
	cmds := []string{"HELO", "EHLO", "RCPT", "DATA", "RSET", "MAIL", "QUIT", "HELP"}
	if cfg.Exchange {
		cmds = append(cmds, "AUTH")
	}
	if f.Has(verb.TURN) {
		cmds = append(cmds, "TURN")
	}
	if f.Has(verb.ETRN) {
		cmds = append(cmds, "ETRN")
	}
	if f.Has(verb.CHUNKING) {
		cmds = append(cmds, "BDAT")
	}
	cmds = append(cmds, "VRFY")
	return []string{
		"214-This server supports the following commands:",
		"214 " + strings.Join(cmds, " "),
	}
}
