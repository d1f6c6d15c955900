// Package iis is the smtpverbs provider for the SMTP service of Microsoft IIS
// (SMTPSVC), reached over WinRM.
//
// A session opens one WinRM "cmd" shell on the host and runs every remote
// step as a single command line in it, so reading a host costs five WinRM
// requests (Create, Command, Receive, Signal, Delete) however many virtual
// servers it has, plus one Receive each time the host hands the output over
// in parts:
//
//   - Read runs hostname, ver, sc query SMTPSVC, sc query RESvc (the routing
//     engine that only Exchange 2000 Server and Exchange Server 2003 install)
//     and enumerates the SMTP part of the metabase with mdutil.exe or
//     adsutil.vbs, each section introduced by an echoed marker line.
//   - Write sets SmtpInboundCommandSupportOptions (ID 36998) at each
//     instance key, or deletes it there so the instance inherits again,
//     chained with && so a failed write stops the chain, restarts SMTPSVC
//     when it was running, and re-reads, again in one command.
//
// Values resolve as the metabase's INHERIT attribute does: a value set at
// /LM/SmtpSvc/N wins, else the one at /LM/SmtpSvc, else the schema default
// 0x7574c1.
//
// The tools are looked for at DefaultMdutilPath and DefaultAdsutilPath unless
// the host names other paths. With method "auto", mdutil is used when both
// are installed: it addresses the property by its numeric ID, which needs no
// schema name. Exchange 2000/2003 hosts are never written: Exchange's DS2MB
// process copies the value from Active Directory over the metabase.
//
// The parsers accept the output formats documented in
// /work/shared/docs/iis-smtp.md section 3 and are tolerant of padding, case
// and CRLF line ends, because real tools differ in those details.
//
// masterzen/winrm has no context support, so each WinRM call runs in a
// goroutine; see remoteShell for how cancellation is bounded.
package iis
