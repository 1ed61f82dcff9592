# Any Terraform: the sweep with guayaba_session resources, which keep the
# archived sessions in state.

variable "archive_before" {
  description = "Archive the sessions whose last activity is before this time (RFC 3339, UTC)."
  type        = string
}

data "guayaba_sessions" "quiet" {
  updated_before = var.archive_before
}

resource "guayaba_session" "quiet" {
  for_each = { for s in data.guayaba_sessions.quiet.sessions : s.key => s }

  key      = each.key
  label    = each.value.label # keep the label each session has
  archived = true
  # on_destroy = "keep" (the default): see "The next run" below.
}
