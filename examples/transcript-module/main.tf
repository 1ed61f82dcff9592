# Feed a session's recent messages into a module output, for a pipeline to
# read with `terraform output -json recent_lines`.
#
# Note: data sources are written to state, transcripts included. When the
# text only needs to reach another provider or a check during the run, use
# the guayaba_session_history ephemeral resource instead (Terraform >= 1.10,
# OpenTofu >= 1.11).

terraform {
  required_providers {
    guayaba = {
      source  = "guayabadotrun/guayaba"
      version = "~> 0.1"
    }
  }
}

provider "guayaba" {}

variable "session_key" {
  description = "The session whose transcript to read."
  type        = string
}

module "transcript" {
  source = "./transcript"

  session_key = var.session_key
  last        = 5
}

output "recent_lines" {
  value = module.transcript.lines
}

output "last_reply" {
  value = module.transcript.last_assistant_text
}
