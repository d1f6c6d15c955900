package scan

import (
	"regexp"
	"strings"
)

// Family is the kind of mail server a probe recognised. The findings'
// remedies depend on it.
type Family string

// The families the scanner recognises.
const (
	FamilyIIS          Family = "iis"          // the IIS SMTP service (SMTPSVC)
	FamilyExchange2003 Family = "exchange2003" // Exchange 2000/2003 on SMTPSVC
	FamilyExchange     Family = "exchange"     // Exchange 2007 or later
	FamilyPostfix      Family = "postfix"
	FamilyExim         Family = "exim"
	FamilySendmail     Family = "sendmail"
	FamilyUnknown      Family = "unknown"
)

// Server is what the banner and the EHLO reply say the server is.
type Server struct {
	Family Family `json:"family"`

	// Product is a readable name, e.g. "Microsoft IIS SMTP service".
	Product string `json:"product"`

	// Version is the version the banner shows, or "".
	Version string `json:"version,omitempty"`

	// Windows is, for IIS and Exchange 2000/2003, the Windows release the
	// version number implies, e.g. "Windows Server 2019".
	Windows string `json:"windows,omitempty"`
}

var (
	iisBanner      = regexp.MustCompile(`Microsoft ESMTP MAIL Service, Version: ([0-9][0-9.]*)`)
	exchangeBanner = regexp.MustCompile(`Microsoft ESMTP MAIL Service ready at`)
	postfixBanner  = regexp.MustCompile(`(?i)\bPostfix\b`)
	eximBanner     = regexp.MustCompile(`(?i)\bExim(?: ([0-9][0-9.]*))?`)
	sendmailBanner = regexp.MustCompile(`(?i)\bSendmail(?: ([0-9][0-9.]*[0-9]))?`)
)

// identify recognises the server from r's banner and EHLO keywords.
func identify(r *Result) Server {
	b := r.Banner
	if m := iisBanner.FindStringSubmatch(b); m != nil {
		s := Server{Family: FamilyIIS, Product: "Microsoft IIS SMTP service", Version: m[1],
			Windows: windowsFor(m[1])}
		// The Exchange 2000/2003 event sinks add these keywords to SMTPSVC.
		if r.Advertises("XEXCH50") || r.Advertises("X-LINK2STATE") || r.Advertises("X-EXPS") {
			s.Family = FamilyExchange2003
			s.Product = "Microsoft Exchange 2000/2003 on the IIS SMTP service"
		}
		return s
	}

	switch {
	case exchangeBanner.MatchString(b):
		return Server{Family: FamilyExchange, Product: "Microsoft Exchange 2007 or later"}
	case postfixBanner.MatchString(b):
		return Server{Family: FamilyPostfix, Product: "Postfix"}
	}
	if m := eximBanner.FindStringSubmatch(b); m != nil {
		return Server{Family: FamilyExim, Product: "Exim", Version: m[1]}
	}
	if m := sendmailBanner.FindStringSubmatch(b); m != nil {
		return Server{Family: FamilySendmail, Product: "Sendmail", Version: m[1]}
	}
	return Server{Family: FamilyUnknown, Product: "unknown"}
}

// windowsReleases maps IIS SMTP file-version prefixes to Windows releases,
// most specific first. The 5.0 to 10.0.17763 rows are banners seen on real
// servers (iis-smtp.md section 5.1); 8.x, 10.0.20348 and 10.0.26100 follow
// from the Windows build numbers and have not been seen in an SMTP banner.
var windowsReleases = []struct{ prefix, windows string }{
	{"5.0.", "Windows 2000"},
	{"6.0.", "Windows Server 2003"},
	{"7.0.6001.", "Windows Server 2008"},
	{"7.0.6002.", "Windows Server 2008 SP2"},
	{"7.0.6003.", "Windows Server 2008 SP2"},
	{"7.0.", "Windows Server 2008"},
	{"7.5.", "Windows Server 2008 R2"},
	{"8.0.", "Windows Server 2012"},
	{"8.5.", "Windows Server 2012 R2"},
	{"10.0.14393.", "Windows Server 2016"},
	{"10.0.17763.", "Windows Server 2019"},
	{"10.0.20348.", "Windows Server 2022"},
	{"10.0.26100.", "Windows Server 2025"},
	{"10.0.", "Windows Server 2016 or later"},
}

// windowsFor returns the Windows release an IIS SMTP version implies, or "".
func windowsFor(version string) string {
	for _, w := range windowsReleases {
		// The dot lets "7.5" match the "7.5." row.
		if strings.HasPrefix(version+".", w.prefix) {
			return w.windows
		}
	}
	return ""
}
