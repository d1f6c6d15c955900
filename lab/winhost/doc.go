// Package winhost simulates a Windows host running the IIS SMTP service, as
// far as a remote management tool can see it over WinRM: a cmd.exe
// interpreter (Host.Run, which satisfies lab/wsman.Runner), an IIS metabase
// with its INHERIT rules, the SMTPSVC and IISADMIN services (and Exchange
// 2000/2003's), the tools mdutil.exe and adsutil.vbs, and MetaBase.xml. The
// lab serves it over real WinRM and opens real SMTP listeners from
// Host.OnSMTPChange.
//
// Every behaviour below is marked FACT (documented or observed in captured
// output; sources in /work/shared/docs/iis-smtp.md and winrm.md) or
// ASSUMPTION (the most plausible behaviour where nothing was found; change
// it here if real hosts prove otherwise).
//
// # Metabase
//
//   - FACT: SmtpInboundCommandSupportOptions (ID 36998, DWORD, INHERIT,
//     IIS_MD_UT_SERVER) lives at /LM/SmtpSvc and /LM/SmtpSvc/N. An instance
//     without it inherits the service key's value, else the schema default
//     7697601 (0x7574c1). Host.Value reports where the value came from.
//   - FACT: keys /LM (IIsComputer), /LM/SmtpSvc (IIsSmtpService) and
//     /LM/SmtpSvc/N (IIsSmtpServer) with KeyType 1002, ServerComment 1015,
//     ServerState 1016 (2 started, 4 stopped), ServerAutoStart 1017,
//     ServerBindings 1023 (":25:"), ConnectionTimeout 1013, MaxConnections
//     1014 (IDs from iiscnfg.h); SmtpOutboundCommandSupportOptions 36999 set
//     to 7 at the service key, as real installs have it.
//   - ASSUMPTION: /LM/SmtpSvc/Info (IIsSmtpInfo, with MajorVersion 1101 and
//     MinorVersion 1102) exists, as W3SVC/Info does; parsers must skip keys
//     that are not numeric instances. Instance 1 is called "Default SMTP
//     Virtual Server", others "[SMTP Virtual Server #N]".
//   - ASSUMPTION: metabase tools start IISADMIN when it is stopped (COM
//     activation of the admin base object does this on Windows).
//
// # cmd.exe (Run)
//
//   - FACT: quotes group and stay in the program's command line, & runs the
//     next command always, && on success, || on failure, ^ escapes, a
//     leading @ is dropped, rem comments out the rest, an IF without
//     parentheses takes the rest of the line as its body, %VAR% expands
//     before parsing (undefined variables stay as written). Programs split
//     their arguments with the C runtime's rules. Output uses CRLF.
//   - FACT: `ver` prints a blank line and "Microsoft Windows [Version ...]"
//     per version; `hostname` prints the computer name; `echo x & y`
//     prints "x " with the space before &.
//   - ASSUMPTION (UNCONFIRMED text): an unknown command prints "'foo' is not
//     recognized as an internal or external command,\r\noperable program or
//     batch file." on stderr, exit 1; a path whose directory does not exist
//     prints "The system cannot find the path specified." instead. A line
//     cmd cannot parse prints "X was unexpected at this time." (or "The
//     syntax of the command is incorrect."), exit 255.
//   - Built-ins: echo, echo., type, ver, set, exit [/b] n, cd, if [not] exist,
//     if [not] errorlevel, pipes, and redirection to nul, &1, &2 and files
//     (written files can be typed back). Programs: hostname, net, sc, where
//     (Windows 2003 on), cscript, cmd /c, mdutil, and anything else on disk
//     runs silently with exit 0. PowerShell is not simulated ("not
//     recognized").
//   - ASSUMPTION: a bare `mdutil` runs only when its directory is on PATH
//     (%SystemRoot%\system32, %SystemRoot%, ...\Wbem, and PowerShell's
//     directory from 2008 on); the current directory is searched first and
//     is the profile (C:\Users\Administrator, or C:\Documents and
//     Settings\Administrator before 2008). The lab's default install path,
//     %SystemRoot%\System32\inetsrv, is NOT on PATH: call it by full path.
//     The full install path always works.
//   - Files that exist: the programs above in System32, inetsrv\MetaBase.xml
//     and MBSchema.xml from IIS 6.0 on (MetaBase.bin on Windows 2000, where
//     %SystemRoot% is C:\WINNT), the tool paths, and with Exchange
//     C:\Program Files\Exchsrvr\bin\store.exe, emsmta.exe and mad.exe.
//     `type` of a missing file says "The system cannot find the file
//     specified." when its directory exists, else "... the path specified."
//
// # mdutil.exe
//
//   - FACT: commands GET, SET, ENUM, ENUM_ALL, DELETE; switches -path:,
//     -prop:, -value:, -dtype:, -utype:, -attrib: ("/" also accepted); paths
//     relative to /LM, either slash, a leading /LM or computer name allowed;
//     without -prop the last path element is the property
//     (GET smtpsvc/1/36998).
//   - FACT: GET and SET print `36998 : [IS] (DWORD) 0x7574c1={7697601}`
//     (KB 262168's form; "I" inherit, then the user type letter S/F).
//     A property not set at the node prints
//     `Error: GetData - HRES(0x800cc801) MD_ERROR_DATA_NOT_FOUND`.
//   - FACT (from captured ENUM output): ENUM lines are indented two spaces,
//     the name (or the ID when Mdutil has no name for it: every SMTP
//     property) padded to 30, then ": ", the attributes padded to 8, the
//     type padded to 8, a space and the value, e.g.
//     `  36998                         : [IS]    (DWORD)  0x7574c1={7697601}`.
//     DWORDs show hex and signed decimal, except ServerState and ServerSize,
//     which show names (`0x2={Started}`); strings and multi-strings are
//     quoted.
//   - ASSUMPTION: ENUM lists properties in ascending ID order, then one
//     `[/smtpsvc/1]` line per subkey (the path as typed, then the child);
//     ENUM_ALL puts each subkey's properties under its line, depth first.
//   - ASSUMPTION: errors are printed on stdout: `Error: OpenKey -
//     HRES(0x80070003) ERROR_PATH_NOT_FOUND` for a missing key,
//     `Error: SetData - HRES(0x80070005) ERROR_ACCESS_DENIED` when writes
//     are denied. Exit code 0 on success, 1 on any error. Unknown commands
//     print a usage text written for the simulation, exit 1.
//
// # adsutil.vbs (under cscript)
//
//   - FACT (from the script's source): `cscript //nologo <path> CMD ...`;
//     the path must match AdsutilPath, else cscript's `Input Error: Can not
//     find script file "<path>".` (stderr, exit 1). Without //nologo the
//     Windows Script Host banner comes first (its version per Windows is an
//     ASSUMPTION).
//   - FACT: GET pads the name to 32 columns then `: (INTEGER) 7697601`; a
//     name of 32 characters or more prints the VBScript type name instead,
//     so `SmtpInboundCommandSupportOptions: (Long) 7697601` (derived from
//     the code, never observed). Lists print `(LIST)  (1 Items)` and one
//     quoted item per line. Not set at the node: `The parameter
//     "SmtpInboundCommandSupportOptions" is not set at this node.`, exit
//     0x80005006 as a signed int32.
//   - FACT: SET echoes like GET (decimal or 0x hex accepted), ENUM prints the
//     properties set at the node, the subkeys as `[/smtpsvc/1]` and a blank
//     line (ENUM uses " : (INTEGER)" for long names), DELETE prints
//     `deleted property "X"`, STOP_SERVER and START_SERVER print `Server
//     smtpsvc/1 Successfully STOPPED` and stop or start that virtual server
//     inside the running service. Errors print a description, `ErrNumber:
//     -2147024891 (0x80070005)` and what failed, and exit with that number.
//   - ASSUMPTION: ENUM lists KeyType first and the rest alphabetically (the
//     real order is the class schema's).
//
// # Services: net and sc
//
//   - FACT: SMTPSVC ("Simple Mail Transfer Protocol (SMTP)") depends on
//     IISADMIN ("IIS Admin Service"); `net start smtpsvc` starts IISADMIN
//     first; `net stop iisadmin /y` lists and stops its dependents first.
//     Exchange hosts add MSExchangeSA, MSExchangeIS, MSExchangeMTA and RESvc
//     ("Microsoft Exchange Routing Engine", which depends on IISADMIN).
//   - FACT (wording from memory): "The X service is starting." / "...was
//     started successfully.", "The requested service has already been
//     started." (NET HELPMSG 2182), "The X service is not started." (3521),
//     "The service name is invalid." (2185), exit 2 for every net error.
//     Progress dots are appended every second while a start or stop takes
//     time (Faults.RestartDelay), as net polls the service.
//   - ASSUMPTION: `net stop iisadmin` without /y prints the dependents, the
//     question and "No valid response was provided." at once, exit 2: over
//     WinRM net.exe has no console to read an answer from.
//   - FACT: Faults.StartFails prints "...could not be started." then
//     "System error 1067 has occurred." / "The process terminated
//     unexpectedly.", exit 2; sc then shows WIN32_EXIT_CODE 1067.
//   - FACT: `sc query NAME` prints sc's layout (trailing spaces included);
//     an unknown name prints `[SC] EnumQueryServicesStatus:OpenService
//     FAILED 1060:` and exits 1060. A never-started service shows
//     WIN32_EXIT_CODE 1077.
//   - ASSUMPTION: when the caller's context ends during a slow start or
//     stop, net returns 1 at once and the service still completes the
//     transition on its own, as a real service does when net is killed.
//
// # The SMTP service
//
//   - FACT: SMTPSVC reads its configuration when it starts; metabase
//     changes do not alter Running until a restart (KB 198415: "You may
//     need to stop and restart the SMTPSVC"; whether it re-reads live is
//     UNCONFIRMED, and this simulation says no).
//   - FACT: on Exchange 2000/2003 hosts DS2MB copies each instance's
//     directory value (InstanceSettings.DirectoryValue, else the schema
//     default) over the instance key whenever SMTPSVC starts, so direct
//     metabase edits are lost at the next restart (KB 321757).
//   - Faults: WriteDenied fails writes with access denied (0x80070005);
//     WriteNotSticky reports success and keeps the old value; FrozenSMTP
//     keeps offering what each instance offered at its first start.
//   - Banner versions per Windows version: BannerVersion; those for 2012,
//     2012 R2 and 2022 are ASSUMPTIONS built from the OS build numbers.
//
// # MetaBase.xml
//
//   - FACT: `type %SystemRoot%\System32\inetsrv\MetaBase.xml` (IIS 6.0 on)
//     shows namespace urn:microsoft-catalog:XML_Metabase_V64_0, one element
//     per key named by its key type, `Location ="/LM/SmtpSvc/1"` with the
//     space, attributes sorted, properties outside the schema as <Custom>.
//   - ASSUMPTION: the file always shows the live metabase (real IIS writes
//     it about a minute after a change).
package winhost
