package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	fwattr "github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sessions"
)

// rfc3339FromMillis renders Unix milliseconds as RFC 3339 in UTC, keeping
// milliseconds only when there are any.
func rfc3339FromMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format(time.RFC3339Nano)
}

// archivedAtRFC3339 renders archivedAt as RFC 3339 (UTC) when parseable, else as sent.
func archivedAtRFC3339(s string) string {
	if t, ok := sessions.ParseTime(s); ok {
		return t.Format(time.RFC3339Nano)
	}
	return s
}

func stringPtrValue(p *string) types.String {
	if p == nil {
		return types.StringNull()
	}
	return types.StringValue(*p)
}

func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

// compactJSON renders raw JSON compactly; empty input gives "null".
func compactJSON(raw json.RawMessage) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return "null"
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return string(raw)
	}
	return buf.String()
}

// knownLabels returns the map's entries, or false when the map or an entry
// is unknown (or null).
func knownLabels(m types.Map) (map[string]string, bool) {
	if m.IsNull() || m.IsUnknown() {
		return nil, false
	}
	out := make(map[string]string, len(m.Elements()))
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		if !ok || s.IsUnknown() || s.IsNull() {
			return nil, false
		}
		out[k] = s.ValueString()
	}
	return out, true
}

func stringMapValue(m map[string]string) types.Map {
	elems := make(map[string]fwattr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

func stringListValue(s []string) types.List {
	elems := make([]fwattr.Value, len(s))
	for i, v := range s {
		elems[i] = types.StringValue(v)
	}
	return types.ListValueMust(types.StringType, elems)
}

// setState stores model (a pointer to a struct of attr.Value fields tagged
// tfsdk) as st, like st.Set, and setPlan as a plan. Both convert each field
// once; Set converts a map attribute three times (through reflection and
// back), which at 10,000 labels costs more than the rest of a refresh.
func setState(ctx context.Context, st *tfsdk.State, model any) diag.Diagnostics {
	return setModel(ctx, &st.Raw, st.Schema.Type().TerraformType(ctx), model)
}

func setPlan(ctx context.Context, p *tfsdk.Plan, model any) diag.Diagnostics {
	return setModel(ctx, &p.Raw, p.Schema.Type().TerraformType(ctx), model)
}

func setModel(ctx context.Context, raw *tftypes.Value, typ tftypes.Type, model any) diag.Diagnostics {
	var diags diag.Diagnostics
	fail := func(err error) diag.Diagnostics {
		diags.AddError("Value Conversion Error", "An unexpected error was encountered trying to store a value. "+
			"This is always an error in the provider. Please report the following to the provider developer:\n\n"+err.Error())
		return diags
	}
	rv := reflect.ValueOf(model)
	if rv.Kind() == reflect.Pointer {
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return fail(fmt.Errorf("%T is not a struct", model))
	}
	vals := make(map[string]tftypes.Value, rv.NumField())
	for i := range rv.NumField() {
		name := rv.Type().Field(i).Tag.Get("tfsdk")
		if name == "" || name == "-" {
			continue
		}
		v, ok := rv.Field(i).Interface().(fwattr.Value)
		if !ok {
			return fail(fmt.Errorf("field %s of %T is not an attr.Value", name, model))
		}
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return fail(fmt.Errorf("%s: %w", name, err))
		}
		vals[name] = tv
	}
	if err := tftypes.ValidateValue(typ, vals); err != nil {
		return fail(err)
	}
	*raw = tftypes.NewValue(typ, vals)
	return diags
}
