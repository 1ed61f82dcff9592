package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// The filters of the data sources and the list resource, each declared
// once: its name, description and validators make its attribute, and set
// puts its value into the filter (F, a sessions.SessionFilter or
// sessions.ArchiveFilter) that matches. guayaba_sessions and the
// guayaba_session list resource (terraform query) share sessionFilters.

// filter is one optional string attribute that narrows what is listed.
type filter[F any] struct {
	name, description string
	validators        []validator.String
	set               func(f *F, value string)
}

// sessionFilters filter active sessions, in the order the docs list them.
var sessionFilters = []filter[sessions.SessionFilter]{
	{name: "key_prefix", description: "Only sessions whose key starts with this, e.g. `agent:main:telegram:group:`.",
		set: func(f *sessions.SessionFilter, v string) { f.KeyPrefix = &v }},
	{name: "label", description: "Only the session with exactly this label.",
		set: func(f *sessions.SessionFilter, v string) { f.Label = &v }},
	{name: "chat_type", description: "Only sessions of this chat type: `direct`, `group` or `channel`.",
		validators: stringValidators(stringvalidator.OneOf("direct", "group", "channel")),
		set:        func(f *sessions.SessionFilter, v string) { f.ChatType = &v }},
	{name: "last_channel", description: "Only sessions whose last message came through this channel, e.g. `telegram` or `webchat`.",
		set: func(f *sessions.SessionFilter, v string) { f.LastChannel = &v }},
	{name: "updated_after", validators: stringValidators(rfc3339Validator),
		description: "Only sessions active strictly after this RFC 3339 time, e.g. `\"2026-11-01T00:00:00Z\"` or " +
			"`timeadd(plantimestamp(), \"-720h\")` (`timestamp()` is unknown until apply, so it cannot drive `for_each`).",
		set: func(f *sessions.SessionFilter, v string) { f.UpdatedAfter = parseRFC3339(v) }},
	{name: "updated_before", description: "Only sessions last active strictly before this RFC 3339 time.",
		validators: stringValidators(rfc3339Validator),
		set:        func(f *sessions.SessionFilter, v string) { f.UpdatedBefore = parseRFC3339(v) }},
}

// archiveFilters filter archives (guayaba_archives).
var archiveFilters = []filter[sessions.ArchiveFilter]{
	{name: "session_id", description: "Only archives of this session id.",
		set: func(f *sessions.ArchiveFilter, v string) { f.SessionID = &v }},
	{name: "label", description: "Only archives with exactly this label.",
		set: func(f *sessions.ArchiveFilter, v string) { f.Label = &v }},
	{name: "archived_after", description: "Only archives made strictly after this RFC 3339 time.",
		validators: stringValidators(rfc3339Validator),
		set:        func(f *sessions.ArchiveFilter, v string) { f.ArchivedAfter = parseRFC3339(v) }},
	{name: "archived_before", description: "Only archives made strictly before this RFC 3339 time.",
		validators: stringValidators(rfc3339Validator),
		set:        func(f *sessions.ArchiveFilter, v string) { f.ArchivedBefore = parseRFC3339(v) }},
}

// dataSourceFilterAttributes adds the filters to a data source's attributes.
func dataSourceFilterAttributes[F any](filters []filter[F], attrs map[string]dsschema.Attribute) map[string]dsschema.Attribute {
	for _, f := range filters {
		attrs[f.name] = dsschema.StringAttribute{Optional: true, MarkdownDescription: f.description, Validators: f.validators}
	}
	return attrs
}

// listFilterAttributes adds the filters to a list block's config attributes.
func listFilterAttributes[F any](filters []filter[F], attrs map[string]listschema.Attribute) map[string]listschema.Attribute {
	for _, f := range filters {
		attrs[f.name] = listschema.StringAttribute{Optional: true, MarkdownDescription: f.description, Validators: f.validators}
	}
	return attrs
}

// filterFrom reads the filters' values from a configuration (a value not
// set, or not known, filters nothing).
func filterFrom[F any](ctx context.Context, filters []filter[F], config tfsdk.Config, diags *diag.Diagnostics) F {
	var out F
	for _, f := range filters {
		var v types.String
		diags.Append(config.GetAttribute(ctx, path.Root(f.name), &v)...)
		if !v.IsNull() && !v.IsUnknown() {
			f.set(&out, v.ValueString())
		}
	}
	return out
}

// parseRFC3339 parses a time validated at plan time (nil if it does not parse).
func parseRFC3339(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil
	}
	return &t
}
