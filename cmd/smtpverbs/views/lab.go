package views

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// LabRow is one simulated host as the lab command lists it.
type LabRow struct {
	Name, Address, Windows string
	WinRM                  string // "5985/5986", or "down" for unreachable hosts
	SMTP                   string // address:port of virtual server 1, or "closed"
	Values                 []string
	Notes                  []string
}

// LabTable renders the hosts of a running lab as an aligned table.
func LabTable(w io.Writer, rows []LabRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tADDRESS\tWINDOWS\tWINRM\tSMTP\tSmtpInboundCommandSupportOptions\tNOTES")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Address, r.Windows, r.WinRM,
			r.SMTP, strings.Join(r.Values, ", "), strings.Join(r.Notes, ", "))
	}
	tw.Flush()
}
