// Package views renders what smtpverbs commands produce: plans, apply
// results, plan diffs, the JSON event stream, scan reports and
// configuration diagnostics.
//
// A view only formats. It never decides what happened, reads a host or
// chooses an exit code; commands do that and hand the view plain values
// from the logic packages (plan.Plan, plan.Result, scan.Result, hcl
// diagnostics) together with an io.Writer. Whether colour is used is the
// caller's decision (the -no-color flag, NO_COLOR, or output that is not a
// terminal), so every human view takes it as an argument and never looks at
// the environment itself.
//
// Human output is for people and may change between releases. JSON output
// (plan files, -json event streams, validate -json) is versioned and is the
// interface for scripts.
package views
