// Package lab runs simulated Windows IIS SMTP hosts that real WinRM and SMTP
// clients accept, so that smtpverbs can be built, tested and tried without
// Windows.
//
// Each host serves on its own loopback address (127.x.y.z): WinRM over HTTP
// and HTTPS (package lab/wsman), a simulated Windows machine behind it with a
// metabase, services and a cmd.exe interpreter (package lab/winhost), and an
// SMTP listener per virtual server that behaves like IIS's SMTP service
// (package lab/smtpd). The SMTP listeners follow the SMTPSVC service: they
// open when it starts, with the configuration the metabase held at that
// moment, and close when it stops.
//
// A lab is described by a Spec, built in Go, read from an HCL file
// (LoadSpec) or generated (Generate). Start brings it up, writes ca.pem,
// lab.json and lab.smtp.hcl, and returns a Lab whose hosts tests can inspect
// and change. The lab never serves on anything but loopback addresses.
//
// What is documented Windows behaviour and what is an assumption is listed
// in the packages that implement it (lab/winhost, lab/wsman, lab/smtpd) and
// summarised in the README's lab section.
package lab
