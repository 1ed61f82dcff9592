variable "archived" {
  description = "Session key => label, for the sessions to keep archived."
  type        = map(string)
}

resource "guayaba_session" "archived" {
  for_each = var.archived

  key      = each.key
  label    = each.value # null clears the label
  archived = true
}
