package winhost

import (
	"sort"
	"strings"
)

// The kinds of file the host knows how to run or show.
const (
	kindData    = "data"
	kindCmd     = "cmd"
	kindHost    = "hostname"
	kindNet     = "net"
	kindSC      = "sc"
	kindWhere   = "where"
	kindCScript = "cscript"
	kindWScript = "wscript"
	kindMdutil  = "mdutil"
	kindAdsutil = "adsutil"
	kindMBXML   = "metabase.xml"
)

// file is one file on the simulated disk.
type file struct {
	path    string // as stored, e.g. `C:\Windows\System32\net.exe`
	kind    string
	content string // for files written by redirection
}

// initFiles lays out the files a remote command can see: the system
// programs, the IIS files, the installed tools and Exchange's binaries.
// Directories are implied by the files in them and by h.dirs.
func (h *Host) initFiles() {
	root := h.rel.systemRoot
	sys := root + `\System32\`
	h.disk = map[string]*file{}
	add := func(path, kind string) {
		h.disk[strings.ToLower(path)] = &file{path: path, kind: kind}
	}

	add(sys+"cmd.exe", kindCmd)
	add(sys+"hostname.exe", kindHost)
	add(sys+"net.exe", kindNet)
	add(sys+"net1.exe", kindNet)
	add(sys+"sc.exe", kindSC)
	add(sys+"cscript.exe", kindCScript)
	add(sys+"wscript.exe", kindWScript)
	if h.rel.where {
		add(sys+"where.exe", kindWhere)
	}

	add(sys+`inetsrv\inetinfo.exe`, kindData)
	add(sys+`inetsrv\smtpsvc.dll`, kindData)
	if h.rel.metabaseXML {
		add(sys+`inetsrv\MetaBase.xml`, kindMBXML)
		add(sys+`inetsrv\MBSchema.xml`, kindData)
	} else {
		add(sys+`inetsrv\MetaBase.bin`, kindData)
	}

	if h.settings.MdutilPath != "" {
		add(h.settings.MdutilPath, kindMdutil)
	}
	if h.settings.AdsutilPath != "" {
		add(h.settings.AdsutilPath, kindAdsutil)
	}
	if h.settings.Exchange != "" {
		for _, f := range []string{"store.exe", "emsmta.exe", "mad.exe"} {
			add(`C:\Program Files\Exchsrvr\bin\`+f, kindData)
		}
	}

	h.dirs = map[string]bool{}
	for _, d := range []string{`C:`, `C:\Program Files`, `C:\Inetpub`, `C:\Inetpub\mailroot`,
		h.rel.profile} {
		h.dirs[strings.ToLower(d)] = true
	}
}

// parentDir returns the directory part of a Windows path.
func parentDir(p string) string {
	p = strings.TrimRight(p, `\`)
	if i := strings.LastIndexByte(p, '\\'); i >= 0 {
		return p[:i]
	}
	return p
}

// baseName returns the file part of a Windows path.
func baseName(p string) string {
	return p[strings.LastIndexByte(p, '\\')+1:]
}

// lookupFile finds a file by path, ignoring case.
func (h *Host) lookupFile(path string) *file {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.disk[strings.ToLower(cleanPath(path))]
}

// cleanPath folds repeated backslashes and removes a trailing one.
func cleanPath(p string) string {
	for strings.Contains(p, `\\`) {
		p = strings.ReplaceAll(p, `\\`, `\`)
	}
	return strings.TrimRight(p, `\`)
}

// dirExists reports whether a directory exists: an explicit one or any
// directory that holds a file.
func (h *Host) dirExists(dir string) bool {
	d := strings.ToLower(cleanPath(dir))
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.dirs[d] {
		return true
	}
	for p := range h.disk {
		if strings.HasPrefix(p, d+`\`) {
			return true
		}
	}
	return false
}

// exists reports whether a file or directory exists; a trailing backslash
// asks for a directory.
func (h *Host) exists(path string) bool {
	if strings.HasSuffix(path, `\`) {
		return h.dirExists(path)
	}
	return h.lookupFile(path) != nil || h.dirExists(path)
}

// readFile returns the content of a file written by redirection.
func (h *Host) readFile(path string) (string, bool) {
	f := h.lookupFile(path)
	if f == nil {
		return "", false
	}
	return f.content, true
}

// writeFile creates or replaces (or appends to) a data file.
func (h *Host) writeFile(path, content string, appendTo bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	k := strings.ToLower(cleanPath(path))
	f, ok := h.disk[k]
	if !ok || f.kind != kindData {
		f = &file{path: cleanPath(path), kind: kindData}
		h.disk[k] = f
	}
	if appendTo {
		f.content += content
	} else {
		f.content = content
	}
}

// filesIn lists the files directly in dir whose name (without extension,
// or with one) matches name, in sorted order.
func (h *Host) filesIn(dir, name string, recursive bool) []*file {
	d := strings.ToLower(cleanPath(dir)) + `\`
	n := strings.ToLower(name)
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*file
	for p, f := range h.disk {
		if !strings.HasPrefix(p, d) {
			continue
		}
		rest := p[len(d):]
		if strings.Contains(rest, `\`) && !recursive {
			continue
		}
		base := baseName(rest)
		if base == n || strings.TrimSuffix(base, extOf(base)) == n && hasPathExt(base) {
			out = append(out, f)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// extOf returns the extension of a file name, with its dot.
func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// hasPathExt reports whether name ends in an extension of PATHEXT.
func hasPathExt(name string) bool {
	switch strings.ToLower(extOf(name)) {
	case ".com", ".exe", ".bat", ".cmd", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh",
		".msc":
		return true
	}
	return false
}
