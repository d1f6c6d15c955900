// Package scan finds out, over SMTP alone, what a mail server really offers:
// it reads the banner, says EHLO (HELO when EHLO is refused), asks for HELP,
// actively tries TURN, ATRN, ETRN, VRFY and EXPN, optionally tests relaying
// and STARTTLS, recognises the server from its banner, and turns what it saw
// into findings with the exact lines as evidence.
//
// The scanner never sends DATA, so it never delivers mail. It does send ETRN,
// which may make a server start delivering its queue for the domain named;
// and TURN or ATRN, which a server that accepts them answers by reversing
// the roles: the scanner then drops that session and opens a new one for
// the remaining steps.
//
// # Steps
//
// One session per target, in this order: greeting, EHLO (or HELO), HELP,
// "ETRN <domain>", "VRFY postmaster", "EXPN postmaster", the relay test
// (MAIL FROM and RCPT TO in the reserved example domains, then RSET), ATRN,
// TURN, STARTTLS when offered and asked for, QUIT. Every command's whole
// reply must arrive within Options.Timeout; a 421 reply, a closed
// connection, a stall or a line that is not SMTP ends the probe with
// Result.Err set, keeping what was seen before.
//
// # Offered, advertised, accepted
//
// A verb is advertised when an EHLO line's first token names it, in any
// case. It is accepted when its active try got a reply that shows the
// command is live: see Result.Accepts for the exact rule (2xx, 3xx, 4xx but
// 421, and 530). It is offered when either holds. Scanners that audit for
// PCI flag an advertised verb, so a verb that is advertised but refused is
// still a finding; a verb that is hidden from EHLO but accepted is a finding
// of its own.
//
// # Finding IDs
//
// These IDs are stable: they never change meaning and are never reused.
//
//	ID              severity  when
//	SV-TURN         high      EHLO advertises TURN
//	SV-TURN-HIDDEN  high      TURN is accepted but not advertised
//	SV-ATRN         medium    EHLO advertises ATRN
//	SV-ATRN-HIDDEN  medium    ATRN is accepted but not advertised
//	SV-ETRN         medium    EHLO advertises ETRN
//	SV-ETRN-HIDDEN  medium    ETRN is accepted but not advertised
//	SV-HELP-VERBS   low       HELP lists TURN, ATRN or ETRN, which the server
//	                          neither advertises nor accepts
//	SV-VRFY         medium    "VRFY postmaster" got 250 or 251 (confirmed);
//	                          252, which confirms nothing, is no finding
//	SV-EXPN         medium    "EXPN postmaster" got 250 or 251
//	SV-RELAY        high      the relay test's RCPT TO got 250 or 251
//	                          (CVE-1999-0512)
//	SV-TLS-FAIL     medium    STARTTLS advertised but refused, or the
//	                          handshake failed
//	SV-TLS-OLD      medium    TLS 1.0, TLS 1.1 or SSLv3 was negotiated
//	SV-TLS-EXPIRED  low       the certificate's NotAfter has passed
//	SV-NOTLS        info      STARTTLS not offered
//
// The TLS findings are made only when Options.STARTTLS is set. Info findings
// are reported but do not count: Result.HasFindings ignores them, so the
// scan command exits 0 for a server whose only finding is SV-NOTLS.
//
// Each finding carries why it matters (RFC 1985 for TURN and ETRN, RFC 2645
// for ATRN, PCI DSS v4.0 2.2.4 and 2.2.5 for unneeded functions; the PCI
// mapping is smtpverbs' reading, not a PCI SSC statement) and a remedy for
// the server family recognised: the smtpverbs baseline for IIS, Active
// Directory for Exchange 2000/2003, and the setting to change for Postfix,
// Exim and Sendmail.
//
// # Recognising the server
//
// "Microsoft ESMTP MAIL Service, Version: N" is the IIS SMTP service, and N
// implies the Windows release (6.0 is Server 2003, 10.0.17763 is Server
// 2019); with XEXCH50, X-LINK2STATE or X-EXPS in EHLO it is Exchange
// 2000/2003 running on it. The same banner without a version is Exchange
// 2007 or later. Banners naming Postfix, Exim or Sendmail give those
// families; anything else is unknown.
package scan
