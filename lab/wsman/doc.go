// Package wsman is the lab's WinRM server: the WS-Management "cmd" shell
// (WinRS) that Windows hosts expose on ports 5985 and 5986, served over real
// HTTP or HTTPS so that real clients (masterzen/winrm, pywinrm) can drive a
// simulated host.
//
// A Handler owns the remote shells and commands of one simulated host. The
// wire protocol is the one real clients speak to Windows: Create opens a
// shell, Command starts a command line in it, Send feeds its stdin, Receive
// long-polls its output, Signal terminates it and Delete closes the shell.
// What a command line does is up to the Runner the Handler was built with;
// the Handler only moves bytes and exit codes.
//
// Invariants the clients rely on:
//
//   - every answer that carries a SOAP envelope has the Content-Type
//     application/soap+xml;charset=UTF-8 and an a:RelatesTo equal to the
//     request's a:MessageID;
//   - Receive returns output as soon as there is some, otherwise it holds
//     the request for at most min(Config.MaxHold, OperationTimeout minus a
//     margin) and then answers with the OperationTimeout fault (WSManFault
//     code 2150858793), which both clients retry;
//   - a finished command is reported exactly once per response with
//     CommandState Done and an ExitCode; no response exceeds the default
//     envelope size of 153600 bytes;
//   - Send, Signal and Delete always succeed, even for a finished or unknown
//     command, and may arrive while a Receive for the same command is
//     blocked.
//
// Authentication is Basic and/or NTLMv2 (Negotiate) without message sealing,
// as Windows offers it when AllowUnencrypted is true or over HTTPS. NTLM is
// connection-oriented, so the per-connection state lives in the connection's
// context: serve the Handler through Handler.Server, which sets that up.
// Rejected or missing credentials get 401 with an empty body and no SOAP
// Content-Type, as on Windows.
//
// A Handler costs a few hundred bytes while idle and runs no goroutine of
// its own: one goroutine exists per running command, and one per request in
// flight. Set SMTPVERBS_LOG=debug to get maintainer logs on stderr; they
// never contain passwords or NTLM messages.
package wsman
