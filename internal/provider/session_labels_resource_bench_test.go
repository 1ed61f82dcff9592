package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"

	"github.com/guayabadotrun/terraform-provider-guayaba/internal/sandbox"
)

// The plan of one guayaba_session_labels resource over N labels, as
// Terraform drives it through the plugin protocol: validate the
// configuration, upgrade the stored state (JSON), refresh it (one listing)
// and plan. Everything a plan costs the provider is in it except the
// process start and gRPC framing: the listing's decode, the framework's
// conversions of the maps to and from msgpack and tftypes, the validators
// of the map and the planner. Each iteration configures a new provider, as
// Terraform does per command, so the listing is not cached across them.
//
//	go test ./internal/provider/ -run '^$' -bench 'BenchmarkSessionLabels_plan' -benchmem
func BenchmarkSessionLabels_plan(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("labels=%d", n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("-short")
			}
			benchLabelsPlan(b, n)
		})
	}
}

// labelsBench is a provider served in-process, configured against a
// sandbox of N generated sessions, and the resource's state holding a
// label for each of them.
type labelsBench struct {
	srv        tfprotov6.ProviderServer
	provType   tftypes.Object
	resType    tftypes.Type
	provConfig *tfprotov6.DynamicValue
	config     *tfprotov6.DynamicValue
	stateJSON  []byte
}

func newLabelsBench(b *testing.B, n int) *labelsBench {
	b.Helper()
	fx := sandbox.Generate(sandbox.GenerateOptions{Agents: 1, SessionsPerAgent: n, Seed: 1})
	masterKey := fx.MasterToken()
	agentID := fx.Agents[0].ID
	// The labels the resource wants are the ones the sessions carry, so the
	// plan is empty: the no-change plan of BENCHMARKS.md.
	labels := map[string]string{}
	for i := range fx.Agents[0].Sessions {
		s := &fx.Agents[0].Sessions[i]
		l := "bench " + s.Key
		labels[s.Key], s.Label = l, &l
	}
	sb := sandbox.New(sandbox.Options{})
	if err := sb.Load(fx); err != nil {
		b.Fatal(err)
	}
	// The sandbox's answers to GETs are recorded once and replayed, so that
	// the benchmark measures the provider, not the sandbox rendering the
	// listing.
	srv := httptest.NewServer(replayGets(sb.Handler()))
	b.Cleanup(srv.Close)

	lb := &labelsBench{}
	lb.srv = lb.newServer()
	ctx := context.Background()
	sch, err := lb.srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(sch.Diagnostics) > 0 {
		b.Fatalf("schema: %v %v", err, sch.Diagnostics)
	}
	var ok bool
	if lb.provType, ok = sch.Provider.ValueType().(tftypes.Object); !ok {
		b.Fatalf("the provider schema is a %T", sch.Provider.ValueType())
	}
	lb.resType = sch.ResourceSchemas["guayaba_session_labels"].ValueType()
	pv := map[string]tftypes.Value{}
	for name, typ := range lb.provType.AttributeTypes {
		pv[name] = tftypes.NewValue(typ, nil)
	}
	pv["base_url"] = tftypes.NewValue(tftypes.String, srv.URL+"/api/v1")
	pv["api_key"] = tftypes.NewValue(tftypes.String, masterKey)
	pv["agent_id"] = tftypes.NewValue(tftypes.String, agentID)
	lb.provConfig = dynamicValue(lb.provType, tftypes.NewValue(lb.provType, pv))

	obj, ok := lb.resType.(tftypes.Object)
	if !ok {
		b.Fatalf("the resource schema is a %T", lb.resType)
	}
	strMap := tftypes.Map{ElementType: tftypes.String}
	elems := make(map[string]tftypes.Value, n)
	for k, l := range labels {
		elems[k] = tftypes.NewValue(tftypes.String, l)
	}
	cfg := map[string]tftypes.Value{}
	for name, typ := range obj.AttributeTypes {
		cfg[name] = tftypes.NewValue(typ, nil)
	}
	cfg["labels"] = tftypes.NewValue(strMap, elems)
	lb.config = dynamicValue(lb.resType, tftypes.NewValue(lb.resType, cfg))

	// The state an apply of that configuration records, as Terraform stores
	// it (JSON, read back through UpgradeResourceState).
	lb.stateJSON, err = json.Marshal(map[string]any{
		"id": agentID, "agent_id": agentID, "labels": labels, "exclusive": false, "on_destroy": "keep",
		"missing_keys": []string{}, "other_labels": nil,
	})
	if err != nil {
		b.Fatal(err)
	}
	return lb
}

func (lb *labelsBench) newServer() tfprotov6.ProviderServer {
	return providerserver.NewProtocol6(New("bench")())()
}

// configured returns a new provider server, configured as Terraform does
// before a walk.
func (lb *labelsBench) configured(ctx context.Context) (tfprotov6.ProviderServer, error) {
	srv := lb.newServer()
	if _, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{}); err != nil {
		return nil, err
	}
	cr, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.11.4", Config: lb.provConfig})
	if err := failed(err, cr.Diagnostics); err != nil {
		return nil, fmt.Errorf("configure: %w", err)
	}
	return srv, nil
}

// dynamicValue encodes v as the protocol does; v is built here to fit typ.
func dynamicValue(typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		panic(err)
	}
	return &dv
}

func failed(err error, diags []*tfprotov6.Diagnostic) error {
	if err != nil {
		return err
	}
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return fmt.Errorf("%s: %s", d.Summary, d.Detail)
		}
	}
	return nil
}

// validated is a newly configured provider that has validated the
// resource's configuration, as Terraform does before it plans.
func (lb *labelsBench) validated(ctx context.Context) (tfprotov6.ProviderServer, error) {
	srv, err := lb.configured(ctx)
	if err != nil {
		return nil, err
	}
	vr, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "guayaba_session_labels",
		Config: lb.config})
	if err := failed(err, vr.Diagnostics); err != nil {
		return nil, fmt.Errorf("validate: %w", err)
	}
	return srv, nil
}

// plan runs one no-change plan with refresh, as terraform plan does, on a
// newly configured provider, and checks that it is empty.
func (lb *labelsBench) plan(ctx context.Context) error {
	const typeName = "guayaba_session_labels"
	srv, err := lb.validated(ctx)
	if err != nil {
		return err
	}
	ur, err := srv.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName,
		RawState: &tfprotov6.RawState{JSON: lb.stateJSON}})
	if err := failed(err, ur.Diagnostics); err != nil {
		return fmt.Errorf("upgrade: %w", err)
	}
	rr, err := srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName, CurrentState: ur.UpgradedState})
	if err := failed(err, rr.Diagnostics); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	// Terraform proposes the configuration merged with the prior state: for
	// this configuration, the refreshed state itself.
	pr, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName,
		PriorState: rr.NewState, ProposedNewState: rr.NewState, Config: lb.config})
	if err := failed(err, pr.Diagnostics); err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if len(pr.RequiresReplace) > 0 {
		return fmt.Errorf("plan requires replacement of %v", pr.RequiresReplace)
	}
	return nil
}

func benchLabelsPlan(b *testing.B, n int) {
	lb := newLabelsBench(b, n)
	ctx := servedContext(b)
	benchCPU(b, func() error { return lb.plan(ctx) })
}

// servedContext is the context a provider process serves each call with
// (terraform-plugin-go's tf6server): the SDK's and the provider's root
// loggers, at the levels of the environment (off without TF_LOG). The
// framework's logging costs nothing without them, and not nothing with.
//
// It also quiets the framework's logs as main does (FrameworkLogLevel), so
// that the benchmark measures what the provider binary does.
func servedContext(b *testing.B) context.Context {
	if level := FrameworkLogLevel(os.Getenv); level != "" {
		b.Setenv(frameworkLogEnv, level)
	}
	ctx := tfsdklog.NewRootSDKLogger(context.Background(), tfsdklog.WithLevelFromEnv("TF_LOG_SDK"))
	return tfsdklog.NewRootProviderLogger(ctx, tfsdklog.WithLevelFromEnv("TF_LOG_PROVIDER"))
}

// benchCPU runs op once, then b.N times measured, and reports its CPU time
// per run beside the wall time and allocations.
func benchCPU(b *testing.B, op func() error) {
	if err := op(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		if err := op(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU time (user + system, every goroutine and the GC) is steadier than
	// wall time on a shared machine.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time the process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// replayGets serves h, answering each GET it answered once with the same
// status and body.
func replayGets(h http.Handler) http.Handler {
	var mu sync.Mutex
	seen := map[string]*httptest.ResponseRecorder{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			h.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		rec, ok := seen[r.URL.String()]
		if !ok {
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			seen[r.URL.String()] = rec
		}
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

// The create of one guayaba_session_labels resource over N labels that the
// sessions already carry (no rename): terraform apply's plan and apply of
// the new resource, each on a newly configured provider, as Terraform runs
// them.
//
//	go test ./internal/provider/ -run '^$' -bench 'BenchmarkSessionLabels_create' -benchmem
func BenchmarkSessionLabels_create(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("labels=%d", n), func(b *testing.B) {
			if n > 10000 && testing.Short() {
				b.Skip("-short")
			}
			lb := newLabelsBench(b, n)
			ctx := servedContext(b)
			benchCPU(b, func() error { return lb.create(ctx) })
		})
	}
}

// create plans the resource from nothing and applies the plan.
func (lb *labelsBench) create(ctx context.Context) error {
	const typeName = "guayaba_session_labels"
	null := dynamicValue(lb.resType, tftypes.NewValue(lb.resType, nil))
	var planned *tfprotov6.DynamicValue
	for _, step := range []string{"plan", "apply"} {
		srv, err := lb.validated(ctx)
		if err != nil {
			return err
		}
		// Terraform proposes the configuration for a new resource: computed
		// attributes null.
		pr, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName,
			PriorState: null, ProposedNewState: lb.config, Config: lb.config})
		if err := failed(err, pr.Diagnostics); err != nil {
			return fmt.Errorf("%s: plan: %w", step, err)
		}
		planned = pr.PlannedState
	}
	srv, err := lb.configured(ctx)
	if err != nil {
		return err
	}
	ar, err := srv.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName,
		PriorState: null, PlannedState: planned, Config: lb.config})
	if err := failed(err, ar.Diagnostics); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	return nil
}
