package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"

	"github.com/go-logr/logr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/livediff"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render"
)

// liveFlags are diff --live's flags.
type liveFlags struct {
	on                  bool
	kubeconfig, context string
}

// diffLive renders and hydrates the spec and compares it with the cluster
// of the kubeconfig context (default: the current one).
func (e *env) diffLive(f *diffFlags) error {
	f.hf.on = true // the charts' objects are what the engine applies
	_, files, err := e.renderSpecAt(&f.sf, &f.hf, f.outputDir)
	if err != nil {
		return err
	}
	r, err := e.liveReport(files, f.live.kubeconfig, f.live.context)
	if err != nil {
		return err
	}
	return e.writeLive(f.format, r)
}

// liveReport compares a rendered, hydrated tree with a cluster.
func (e *env) liveReport(files []render.File, kubeconfig, kubeContext string) (*livediff.Report, error) {
	ctrllog.SetLogger(logr.Discard())
	objs, err := livediff.Objects(files)
	if err != nil {
		return nil, err
	}
	cfg, cluster, err := apply.LoadConfig(kubeconfig, kubeContext)
	if err != nil {
		return nil, err
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("diff --live: context %q (%s): %w", cluster.Context, cluster.Kubeconfig, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r, err := livediff.Diff(ctx, c, objs)
	if err != nil {
		return nil, fmt.Errorf("diff --live against %s (context %q): %w", cluster.Server, cluster.Context, err)
	}
	r.Server = cfg.Host
	return r, nil
}

func (e *env) writeLive(format string, r *livediff.Report) error {
	var err error
	switch format {
	case "markdown":
		err = livediff.WriteMarkdown(e.stdout, r)
	case "json":
		err = livediff.WriteJSON(e.stdout, r)
	default:
		err = livediff.WriteText(e.stdout, r)
	}
	if err != nil {
		return err
	}
	if !r.Equal() {
		return errReported
	}
	return nil
}

// fleetContext is the kubeconfig context of an environment's cluster in a
// fleet: the cluster's ARN, the name `aws eks update-kubeconfig` gives it.
func fleetContext(s *model.Spec) string {
	return fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", s.Partition(), s.AWS.Region, s.AWS.AccountID, s.Cluster.Name)
}

// diffLiveFleet compares every environment with its own cluster: the
// kubeconfig context named by the cluster's ARN (as `aws eks
// update-kubeconfig` names it), or --context when one environment is
// selected. One report per environment; exit 1 when any differs.
func (e *env) diffLiveFleet(f *diffFlags) error {
	f.hf.on = true
	p, err := e.fleetPlan(&f.fleet, &f.hf, fleet.Options{})
	if err != nil {
		return err
	}
	if f.live.context != "" && len(p.Envs) != 1 {
		return usageError{"diff --live --fleet: --context names one cluster; select one environment with --env, or leave it out to use each cluster's ARN context"}
	}
	differ := false
	for _, env := range p.Envs {
		ctx := f.live.context
		if ctx == "" {
			ctx = fleetContext(env.Result.Spec)
		}
		fmt.Fprintf(e.stdout, "== environment %s (context %s)\n", env.Name, ctx)
		r, err := e.liveReport(env.Files, f.live.kubeconfig, ctx)
		if err != nil {
			return fmt.Errorf("environment %s: %w (add the context with: aws eks update-kubeconfig --name %s --region %s)",
				env.Name, err, env.Result.Spec.Cluster.Name, env.Result.Spec.AWS.Region)
		}
		if err := e.writeLive(f.format, r); errors.Is(err, errReported) {
			differ = true
		} else if err != nil {
			return err
		}
	}
	if differ {
		return errReported
	}
	return nil
}
