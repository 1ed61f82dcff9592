# A small module to test: it labels every Telegram group session of the
# agent with a prefix and the group's id. Its tests are in tests/:
#
#   tests/unit.tftest.hcl     plan only, with a mocked provider: no API, no key
#   tests/sandbox.tftest.hcl  apply against guayaba-sandbox (or a test agent)
#
# Run them with `terraform test` (Terraform >= 1.7 for mock_provider), or all
# of it against a sandbox started for the run with `make module-test`.

terraform {
  required_providers {
    guayaba = {
      source  = "guayabadotrun/guayaba"
      version = "~> 0.1"
    }
  }
}

variable "key_prefix" {
  description = "Sessions whose key starts with this are labelled."
  type        = string
  default     = "agent:main:telegram:group:"
}

variable "label_prefix" {
  description = "Text put before each group's id in its label."
  type        = string
  default     = "Telegram group"

  validation {
    condition     = var.label_prefix != "" && trimspace(var.label_prefix) == var.label_prefix
    error_message = "label_prefix must not be empty or start or end with white space: labels are trimmed by the platform."
  }
}

data "guayaba_sessions" "groups" {
  key_prefix = var.key_prefix
}

resource "guayaba_session" "group" {
  for_each = toset(data.guayaba_sessions.groups.keys)

  key   = each.key
  label = "${var.label_prefix} ${trimprefix(each.key, var.key_prefix)}"
}

output "labels" {
  description = "Session key => label."
  value       = { for k, s in guayaba_session.group : k => s.label }
}
