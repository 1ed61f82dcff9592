# Requires Terraform >= 1.10 or OpenTofu >= 1.11 (ephemeral resources):
# `make demo` leaves this file out on an older CLI, and says so.
terraform {
  required_version = ">= 1.10"
}

# A transcript through the ephemeral resource: read during the run, never
# written to state or plan. Ephemeral values cannot be root outputs, so this
# one feeds a precondition instead.
ephemeral "guayaba_session_history" "ana" {
  key = "agent:main:telegram:direct:123456789"
}

resource "terraform_data" "ana_was_answered" {
  input = "agent:main:telegram:direct:123456789"

  lifecycle {
    precondition {
      condition     = length([for m in ephemeral.guayaba_session_history.ana.messages : m if m.role == "assistant"]) > 0
      error_message = "The agent has not answered Ana yet."
    }
  }
}
