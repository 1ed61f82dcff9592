# Every archive of the provider's agent, oldest first.
data "guayaba_archives" "all" {}

# Archives made in November 2026 with a given label.
data "guayaba_archives" "november" {
  label           = "Old API session"
  archived_after  = "2026-11-01T00:00:00Z"
  archived_before = "2026-12-01T00:00:00Z"
}

output "archives" {
  # filename => label; the filename is what `terraform import` takes after "@".
  value = { for a in data.guayaba_archives.all.archives : a.filename => a.label }
}

output "november_session_ids" {
  value = [for a in data.guayaba_archives.november.archives : a.session_id]
}
