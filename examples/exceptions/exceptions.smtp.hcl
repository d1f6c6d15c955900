# Per-host exceptions. An active exception takes the verb out of the
# baseline's "disable" list on the servers it names: smtpverbs then leaves
# the verb as the host has it. After the expiry date the exception is
# reported as expired and the baseline applies again.

exception "partner-x-etrn" {
  verb          = "ETRN"
  servers       = ["mail01"]
  justification = "Partner X pulls queued mail with ETRN until the 2027 migration (CHG-1234)"
  approved_by   = "J. Smith"
  expires       = "2027-01-31"
}
