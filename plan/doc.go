// Package plan is the plan and apply engine of smtpverbs.
//
// Make reads every selected host through a providers.Provider, in parallel,
// and works out for each SMTP virtual server the value the configuration
// asks for: the observed value with the verbs the policy turns off cleared
// and the verbs it turns on set, every other bit kept. The result is a Plan:
// per host a status (compliant, will change, cannot change, unreachable,
// authentication failed, error), per instance the observed and target values,
// where the observed value came from, and the verb changes in between. A
// plan can be saved as versioned JSON and read back; the file never holds a
// password.
//
// Apply carries out a plan host by host. There is no state file, so a plan
// records what it saw and Apply compares and swaps: it re-reads each host and
// skips the host as stale when any value differs from what the plan saw,
// while the other hosts go ahead. After a write and a restart Apply can prove
// the result over SMTP and, when a verb that should be gone is still offered,
// restore the previous values exactly: an explicit value is written back, and
// a value that was inherited is deleted from the instance key so that it
// inherits again. A failing host never stops the hosts running beside it; in
// a rolling apply (ApplyOptions.Batches) a failure budget (MaxFail) that is
// exceeded stops further batches from starting. An interrupted apply starts
// no new host but reports every host's outcome.
//
// With a probe, Make also compares what each running virtual server offers
// over SMTP with what its metabase value implies, in both directions, and
// marks a host whose service differs as pending a restart.
//
// The engine knows nothing of WinRM or SMTP wire formats: hosts are reached
// through providers.Session and the SMTP check is a ProbeFunc the caller
// supplies.
package plan
