# Two relays under a baseline that disables TURN, ATRN and ETRN, with a
# time-limited exception keeping ETRN on one of them for a partner.

connection "corp" {
  auth         = "ntlm"
  username     = "CORP\\svc-smtpverbs"
  password_env = "SMTPVERBS_PASSWORD"
  insecure     = false
}

baseline "pci" {
  disable = ["TURN", "ATRN", "ETRN"]
}

server "mail01" {
  address   = "10.0.0.5"
  baselines = ["pci"]
}

server "mail02" {
  address   = "10.0.0.6"
  baselines = [baseline.pci]
  enable    = ["DSN"]
}
