package iis

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// servicePath is the metabase key of the SMTP service.
const servicePath = "/LM/SmtpSvc"

// instancePath returns the metabase key of virtual server id.
func instancePath(id int) string {
	return fmt.Sprintf("%s/%d", servicePath, id)
}

// observe turns the sections of a read into an Observation. It fails when
// the output is cut short, when the metabase could not be read or when
// virtualServers names an instance the host does not have.
func observe(secs map[string]string, stderr string, t tools,
	virtualServers []int) (*providers.Observation, error) {

	if _, ok := secs[secEnd]; !ok {
		return nil, fmt.Errorf("the read command stopped before its end: %s",
			summarise(secs[""]+" "+stderr))
	}
	obs := &providers.Observation{
		Hostname: firstLine(secs[secHostname]),
		OS:       parseVer(secs[secVer]),
	}
	smtp := parseSCQuery(secs[secSMTPSVC])
	obs.SMTPState = smtp.State
	exchange := parseSCQuery(secs[secRESvc]).Installed

	// The method is the first allowed tool that is installed. A tool's
	// section is missing when the command did not look for it.
	switch {
	case t.useMdutil() && toolFound(secs, secMdutil):
		obs.Method = methodMdutil
	case t.useAdsutil() && toolFound(secs, secAdsutil):
		obs.Method = methodAdsutil
	}

	if obs.Method != "" {
		if err := readMetabase(obs, secs[obs.Method], virtualServers); err != nil {
			return nil, err
		}
	}
	judge(obs, t, smtp.Installed, exchange)
	return obs, nil
}

// toolFound reports whether the command looked for a tool and found it.
func toolFound(secs map[string]string, tool string) bool {
	_, looked := secs[tool]
	_, absent := secs[tool+absentSuffix]
	return looked && !absent
}

// readMetabase fills in the service value and the instances from a tool's
// enumeration of /LM/SmtpSvc.
func readMetabase(obs *providers.Observation, out string, virtualServers []int) error {
	mb := parseEnum(out, "smtpsvc")
	svc := mb.Nodes[normPath("smtpsvc")]
	inherited := false
	if v := svc.Props[verb.PropertyID]; v != nil && v.HasNum {
		obs.Service, obs.ServiceSet = verb.Flags(v.Num), true
		inherited = v.inherits()
	}

	for path, n := range mb.Nodes {
		id, ok := instanceID(path)
		if !ok {
			continue
		}
		if kt := n.Props[propKeyType]; kt != nil && len(kt.Strings) > 0 &&
			!strings.EqualFold(kt.Strings[0], "IIsSmtpServer") {
			continue
		}
		inst := providers.Instance{ID: id, Path: instancePath(id)}
		if b := n.Props[propServerBindings]; b != nil {
			inst.Ports = bindingPorts(b.Strings)
		}

		// INHERIT: the instance's own value, else the service's when it is
		// set with the INHERIT attribute, else the schema default.
		switch v := n.Props[verb.PropertyID]; {
		case v != nil && v.HasNum:
			inst.Value, inst.Source = verb.Flags(v.Num), providers.SourceExplicit
		case inherited:
			inst.Value, inst.Source = obs.Service, providers.SourceService
		default:
			inst.Value, inst.Source = verb.SchemaDefault, providers.SourceDefault
		}
		obs.Instances = append(obs.Instances, inst)
	}
	ins := obs.Instances
	sort.Slice(ins, func(i, j int) bool { return ins[i].ID < ins[j].ID })

	// Error lines with nothing read mean the tool could not read at all.
	if len(mb.Errors) > 0 && len(obs.Instances) == 0 && len(svc.Props) == 0 {
		msg := fmt.Sprintf("read the metabase with %s: %s", obs.Method,
			strings.Join(mb.Errors, "; "))
		if accessDenied(out) {
			return &remedyError{err: errors.New(msg), remedy: adminRemedy}
		}
		return errors.New(msg)
	}
	return restrict(obs, virtualServers)
}

// adminRemedy is the remedy for access denied from the metabase or SCM.
const adminRemedy = "connect as a member of the host's local Administrators group: " +
	"only administrators may read and change the metabase and restart SMTPSVC"

// instanceID returns N for a normalised path /lm/smtpsvc/N.
func instanceID(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "/lm/smtpsvc/")
	if !ok || strings.Contains(rest, "/") {
		return 0, false
	}
	id, err := strconv.Atoi(rest)
	return id, err == nil && id > 0
}

// restrict keeps only the instances listed in virtualServers (all when it is
// nil) and fails when one of them is not on the host.
func restrict(obs *providers.Observation, virtualServers []int) error {
	if virtualServers == nil {
		return nil
	}
	byID := map[int]providers.Instance{}
	var found []string
	for _, in := range obs.Instances {
		byID[in.ID] = in
		found = append(found, in.Path)
	}

	var keep []providers.Instance
	for _, id := range virtualServers {
		in, ok := byID[id]
		if !ok {
			have := "none"
			if len(found) > 0 {
				have = strings.Join(found, ", ")
			}
			return &remedyError{
				err: fmt.Errorf("virtual server %d (%s) does not exist; found: %s",
					id, instancePath(id), have),
				remedy: "list only existing instances in virtual_servers, or remove it to " +
					"manage every instance",
			}
		}
		keep = append(keep, in)
	}
	sort.Slice(keep, func(i, j int) bool { return keep[i].ID < keep[j].ID })
	obs.Instances = keep
	return nil
}

// judge decides whether smtpverbs may write to the host and, if not, says
// why and what to do instead.
func judge(obs *providers.Observation, t tools, smtpInstalled, exchange bool) {
	switch {
	case !smtpInstalled:
		obs.Reason = "the SMTP service (SMTPSVC) is not installed"
		obs.Remedy = "install the SMTP Server feature (SMTP-Server) or remove this " +
			"server from the configuration"
	case exchange:
		obs.Reason = exchangeName(obs.OS) + " is installed: DS2MB overwrites the metabase " +
			"from Active Directory"
		obs.Remedy = "set msExchSmtpInboundCommandSupportOptions on the SMTP virtual " +
			"server object in Active Directory with ADSI Edit, or change the virtual " +
			"server in Exchange System Manager"
	case obs.Method == "":
		obs.Reason, obs.Remedy = missingTools(t)
	default:
		obs.Manageable = true
	}
}

// exchangeName names the Exchange versions that can run on the host's
// Windows: Exchange 2000 Server needs Windows 2000, so Windows Server 2003
// (version 5.2) means Exchange Server 2003.
func exchangeName(os string) string {
	if strings.HasPrefix(windowsVersion(os), "5.2") {
		return "Exchange Server 2003"
	}
	return "Exchange 2000 Server or Exchange Server 2003"
}

// missingTools explains which tool is missing and how to get it.
func missingTools(t tools) (reason, remedy string) {
	mdutil := "copy mdutil.exe from the Windows 2000 CD (\\i386\\mdutil.ex_, unpacked " +
		"with expand) or the IIS resource kit to " + t.Mdutil + ", or set mdutil_path"
	adsutil := "install the IIS 6 Scripting Tools (Windows feature Web-Lgcy-Scripting) " +
		"for " + t.Adsutil + ", or set adsutil_path"
	switch t.Method {
	case methodMdutil:
		return "mdutil.exe is not at " + t.Mdutil, mdutil
	case methodAdsutil:
		return "adsutil.vbs is not at " + t.Adsutil, adsutil
	}
	return "neither mdutil.exe (" + t.Mdutil + ") nor adsutil.vbs (" + t.Adsutil +
		") is installed", adsutil + "; or " + mdutil
}

// summarise shortens tool output to one line for an error message.
func summarise(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	if s == "" {
		return "no output"
	}
	return s
}
