terraform {
  required_providers {
    guayaba = {
      source  = "guayabadotrun/guayaba"
      version = "~> 0.1"
    }
  }
}

# The usual setup: everything from the environment, nothing secret in code.
#
#   export GUAYABA_API_KEY=g_agent_...   # or g_master_...
#   export GUAYABA_AGENT_ID=5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69
#   # export GUAYABA_BASE_URL=http://127.0.0.1:8787/api/v1   # the offline sandbox
provider "guayaba" {}

# Explicit configuration. Two kinds of key work:
#
# - an agent key (g_agent_...) serves one agent and needs the agent:manage
#   scope: every Sessions call needs it, reads included; set agent_id to that
#   agent;
# - a master key (g_master_...) serves every agent of the account: set a
#   default agent_id here and override it per resource where needed.
variable "guayaba_api_key" {
  description = "A Guayaba API key (g_master_... or g_agent_...)."
  type        = string
  sensitive   = true
}

provider "guayaba" {
  alias = "explicit"

  api_key  = var.guayaba_api_key
  agent_id = "5f0c6a3e-2b1d-4c8e-9f7a-1e2d3c4b5a69"
  base_url = "https://api.guayaba.run/api/v1" # the default

  # Throttled (429) and failed (500, 502, 503, 504, connection errors) calls are
  # retried with exponential backoff that honours Retry-After.
  max_retries     = 5
  request_timeout = "30s"
}
