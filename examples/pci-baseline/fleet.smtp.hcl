# A PCI DSS baseline (requirement 2.2.4: only necessary services enabled)
# for a fleet of IIS SMTP relays: TURN, ATRN and ETRN off everywhere.

variable "admin_password" {
  type        = string
  sensitive   = true
  description = "Password of the WinRM service account."
}

variable "relays" {
  type        = map(string)
  description = "Relay name => address."
  default = {
    a = "10.0.10.11"
    b = "10.0.10.12"
    c = "10.0.10.13"
  }
}

connection "corp" {
  transport         = "https"
  auth              = "ntlm"
  username          = "CORP\\svc-smtpverbs"
  password          = var.admin_password
  ca_file           = "corp-ca.pem"
  timeout           = "60s"
  operation_timeout = "20s"
}

baseline "pci" {
  disable = ["TURN", "ATRN", "ETRN"]
}

server "relay" {
  for_each  = var.relays
  address   = each.value
  baselines = ["pci"]
  groups    = ["pci", "relays"]
}
