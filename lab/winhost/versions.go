package winhost

import "strings"

// release describes what differs between Windows versions as far as the
// simulated host shows it.
type release struct {
	// ver is the text `ver` prints between its blank line and CRLF.
	ver string

	// banner is the IIS SMTP file version in the 220 banner.
	banner string

	// systemRoot is %SystemRoot%; profile is the current directory of a
	// remote shell.
	systemRoot string
	profile    string

	// iisMajor and iisMinor are the IIS version (MajorIIsVersionNumber).
	iisMajor, iisMinor uint32

	// metabaseXML is true from IIS 6.0 on; IIS 5.0 keeps MetaBase.bin.
	metabaseXML bool

	// where is true when where.exe ships with the system (2003 on).
	where bool

	// wsh is the Windows Script Host version in cscript's banner, and
	// wshCopyright its copyright line.
	wsh          string
	wshCopyright string
}

const (
	copyrightOld = "Copyright (C) Microsoft Corporation 1996-2001. All rights reserved."
	copyrightNew = "Copyright (C) Microsoft Corporation. All rights reserved."
)

// releases maps Settings.Windows to its release. Banner versions for 2000,
// 2003, 2008, 2008R2, 2016 and 2019 are observed (iis-smtp.md 5.1); those for
// 2012, 2012R2 and 2022 are assumptions built from the IIS and OS build
// numbers. The WSH versions are from memory and UNCONFIRMED.
var releases = map[string]release{
	"2000": {ver: "Microsoft Windows 2000 [Version 5.00.2195]", banner: "5.0.2195.6713",
		systemRoot: `C:\WINNT`, profile: `C:\Documents and Settings\Administrator`,
		iisMajor: 5, wsh: "5.6", wshCopyright: copyrightOld},
	"2003": {ver: "Microsoft Windows [Version 5.2.3790]", banner: "6.0.3790.3959",
		systemRoot: `C:\WINDOWS`, profile: `C:\Documents and Settings\Administrator`,
		iisMajor: 6, metabaseXML: true, where: true, wsh: "5.6", wshCopyright: copyrightOld},
	"2008": {ver: "Microsoft Windows [Version 6.0.6002]", banner: "7.0.6002.18264",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 7, metabaseXML: true, where: true, wsh: "5.7", wshCopyright: copyrightNew},
	"2008R2": {ver: "Microsoft Windows [Version 6.1.7601]", banner: "7.5.7601.17514",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 7, iisMinor: 5, metabaseXML: true, where: true, wsh: "5.8",
		wshCopyright: copyrightNew},
	"2012": {ver: "Microsoft Windows [Version 6.2.9200]", banner: "8.0.9200.16384",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 8, metabaseXML: true, where: true, wsh: "5.8", wshCopyright: copyrightNew},
	"2012R2": {ver: "Microsoft Windows [Version 6.3.9600]", banner: "8.5.9600.16384",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 8, iisMinor: 5, metabaseXML: true, where: true, wsh: "5.8",
		wshCopyright: copyrightNew},
	"2016": {ver: "Microsoft Windows [Version 10.0.14393.4169]", banner: "10.0.14393.4169",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 10, metabaseXML: true, where: true, wsh: "5.812",
		wshCopyright: copyrightNew},
	"2019": {ver: "Microsoft Windows [Version 10.0.17763.1697]", banner: "10.0.17763.1697",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 10, metabaseXML: true, where: true, wsh: "5.812",
		wshCopyright: copyrightNew},
	"2022": {ver: "Microsoft Windows [Version 10.0.20348.587]", banner: "10.0.20348.587",
		systemRoot: `C:\Windows`, profile: `C:\Users\Administrator`,
		iisMajor: 10, metabaseXML: true, where: true, wsh: "5.812",
		wshCopyright: copyrightNew},
}

// windowsVersions lists the accepted values of Settings.Windows in release
// order, for error messages.
var windowsVersions = []string{"2000", "2003", "2008", "2008R2", "2012", "2012R2", "2016",
	"2019", "2022"}

// lookupRelease finds the release for a Settings.Windows value, accepting
// any case ("2008r2").
func lookupRelease(windows string) (release, bool) {
	r, ok := releases[strings.ToUpper(strings.TrimSpace(windows))]
	return r, ok
}

// BannerVersion returns the version IIS SMTP prints in its 220 banner on the
// given Windows version ("2019" gives "10.0.17763.1697"), or "" for an
// unknown version.
func BannerVersion(windows string) string {
	r, _ := lookupRelease(windows)
	return r.banner
}
