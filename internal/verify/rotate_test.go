package verify

import (
	"bytes"
	"context"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/milvus-io/milvus-proto/go-api/v2/commonpb"
	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/verify/milvustest"
)

// rotation is a cluster (the test API server) holding the root password
// Secret, and the in-process Milvus behind its Service.
type rotation struct {
	c  *cluster
	tg *Target
	m  *milvustest.Server
}

func newRotation(t *testing.T, secret map[string]string, milvusPassword string, srv func(*milvustest.Server) milvuspb.MilvusServiceServer) *rotation {
	t.Helper()
	c, tg := newCluster(t)
	m := milvustest.New(milvusPassword)
	var s milvuspb.MilvusServiceServer = m
	if srv != nil {
		s = srv(m)
	}
	addr := serve(t, s)
	host, port, _ := net.SplitHostPort(addr)
	tg.Port, _ = strconv.Atoi(port)
	c.service("internal", host)
	c.secret("milvus-root", secret)
	return &rotation{c, tg, m}
}

func (rt *rotation) run(t *testing.T, newPassword string) *Report {
	t.Helper()
	o := RotateOptions{Options: kubeOptions(rt.c, rt.tg), NewPassword: newPassword, NewFrom: "the test"}
	o.Timeout = 20 * time.Second
	return Rotate(context.Background(), o)
}

// secretData is the root password Secret's data now.
func (rt *rotation) secretData(t *testing.T) map[string]string {
	t.Helper()
	s, err := rt.c.kube.Client.CoreV1().Secrets(rt.c.ns).Get(context.Background(), "milvus-root", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	return out
}

// noPasswords fails when the report, as text or JSON, shows a password.
func noPasswords(t *testing.T, r *Report, passwords ...string) {
	t.Helper()
	var text, js bytes.Buffer
	_ = r.WriteText(&text)
	_ = r.WriteJSON(&js)
	out := text.String() + js.String()
	if err := r.Err(); err != nil {
		out += err.Error()
	}
	for _, p := range passwords {
		if p != "" && strings.Contains(out, p) {
			t.Errorf("the report shows a password:\n%s", out)
		}
	}
}

func verdicts(r *Report) string {
	var out []string
	for _, s := range r.Steps {
		out = append(out, s.Name+":"+s.Verdict)
	}
	return strings.Join(out, " ")
}

const newPassword = "n3w-Root-Pa55word"

func TestRotatePassword(t *testing.T) {
	t.Run("generated", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword, nil)
		r := rt.run(t, "")
		if err := r.Err(); err != nil {
			t.Fatalf("%v\n%s", err, verdicts(r))
		}
		want := "Secret:pass endpoint:pass TLS:pass current password:pass stage new password:pass update credential:pass update Secret:pass login with new password:pass"
		if got := verdicts(r); got != want {
			t.Errorf("steps\n%s\nwant\n%s", got, want)
		}
		got := rt.secretData(t)
		if len(got) != 1 || len(got["password"]) != 26 || got["password"] == testPassword {
			t.Errorf("Secret keys %v after the rotation, want only a new 26-character password", slices.Sorted(maps.Keys(got)))
		}
		if rt.m.Password != got["password"] || rt.m.Rotations != 1 {
			t.Errorf("Milvus's password is not the Secret's (%d rotations)", rt.m.Rotations)
		}
		noPasswords(t, r, testPassword, got["password"])
	})

	t.Run("given", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword, nil)
		r := rt.run(t, newPassword)
		if err := r.Err(); err != nil {
			t.Fatal(err)
		}
		if got := rt.secretData(t); got["password"] != newPassword || rt.m.Password != newPassword {
			t.Errorf("Secret or Milvus not on the given password")
		}
		noPasswords(t, r, testPassword, newPassword)

		// Run again with the same password: nothing to change.
		r = rt.run(t, newPassword)
		if err := r.Err(); err != nil || rt.m.Rotations != 1 {
			t.Fatalf("rerun: %v, %d rotations", err, rt.m.Rotations)
		}
		if s := stepOf(r, "update credential"); s.Verdict != Skip {
			t.Errorf("rerun changed Milvus again: %+v", s)
		}
	})

	// Interrupted after Milvus changed the password, before the Secret: the
	// answer to UpdateCredential is lost. The rerun finds the staged
	// password works and finishes the Secret.
	t.Run("interrupted after UpdateCredential", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword,
			func(m *milvustest.Server) milvuspb.MilvusServiceServer { return &lostAnswer{m} })
		r := rt.run(t, "")
		if err := r.Err(); err == nil || !strings.Contains(err.Error(), `step "update credential"`) {
			t.Fatalf("first run: %v", err)
		}
		got := rt.secretData(t)
		staged := got[PendingKey("password")]
		if got["password"] != testPassword || staged == "" || rt.m.Password != staged {
			t.Fatalf("after the interruption Milvus must have the staged password and the Secret still the old one")
		}
		r = rt.run(t, "")
		if err := r.Err(); err != nil {
			t.Fatalf("rerun: %v\n%s", err, verdicts(r))
		}
		if d := stepOf(r, "current password").Detail; !strings.Contains(d, "the staged password") {
			t.Errorf("current password: %q", d)
		}
		got = rt.secretData(t)
		if got["password"] != staged || len(got) != 1 || rt.m.Rotations != 1 {
			t.Errorf("rerun: Secret not finished on the staged password (%d rotations)", rt.m.Rotations)
		}
		noPasswords(t, r, testPassword, staged)
	})

	// Interrupted after staging, before Milvus changed anything: Milvus
	// still takes the Secret's password, and the rerun sets the staged one.
	t.Run("interrupted before UpdateCredential", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword,
			func(m *milvustest.Server) milvuspb.MilvusServiceServer { m.HangOn = "UpdateCredential"; return m })
		o := RotateOptions{Options: kubeOptions(rt.c, rt.tg)}
		o.Timeout = 3 * time.Second
		if err := Rotate(context.Background(), o).Err(); err == nil || !strings.Contains(err.Error(), `step "update credential"`) {
			t.Fatalf("first run: %v", err)
		}
		got := rt.secretData(t)
		staged := got[PendingKey("password")]
		if staged == "" || got["password"] != testPassword || rt.m.Password != testPassword {
			t.Fatal("want the password staged, and the Secret's key and Milvus unchanged")
		}
		rt.m.Mu.Lock()
		rt.m.HangOn = ""
		rt.m.Mu.Unlock()
		r := rt.run(t, "")
		if err := r.Err(); err != nil {
			t.Fatalf("rerun: %v\n%s", err, verdicts(r))
		}
		if got := rt.secretData(t); got["password"] != staged || rt.m.Password != staged || len(got) != 1 {
			t.Errorf("rerun did not set the staged password")
		}
	})

	t.Run("no password logs in", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword, PendingKey("password"): "staged-one"}, "changed-by-hand", nil)
		r := rt.run(t, newPassword)
		err := r.Err()
		if err == nil || !strings.Contains(err.Error(), `step "current password"`) || !strings.Contains(err.Error(), "nothing was changed") {
			t.Fatalf("Err = %v", err)
		}
		if got := rt.secretData(t); got["password"] != testPassword || got[PendingKey("password")] != "staged-one" {
			t.Errorf("the Secret changed")
		}
		noPasswords(t, r, testPassword, newPassword, "staged-one", "changed-by-hand")
	})

	t.Run("a password Milvus refuses", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword, nil)
		r := rt.run(t, "short")
		if err := r.Err(); err == nil || !strings.Contains(err.Error(), "Milvus accepts 6 to 72") {
			t.Fatalf("Err = %v", err)
		}
		if rt.m.Rotations != 0 || len(rt.secretData(t)) != 1 {
			t.Errorf("something changed")
		}
	})

	// The tree names a new Secret (milvus.auth.rootPasswordSecret renamed):
	// the current password comes from the old one, the new Secret is
	// created, and a rerun finds the rotation done.
	t.Run("renamed Secret", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword, nil)
		rt.tg.PasswordSecret = "milvus-root-2026"
		r := rt.run(t, "")
		if err := r.Err(); err == nil || !strings.Contains(err.Error(), "pass --from-secret") {
			t.Fatalf("without --from-secret: %v", err)
		}
		o := RotateOptions{Options: kubeOptions(rt.c, rt.tg), FromSecret: "milvus-root"}
		r = Rotate(context.Background(), o)
		if err := r.Err(); err != nil {
			t.Fatalf("%v\n%s", err, verdicts(r))
		}
		s, err := rt.c.kube.Client.CoreV1().Secrets(rt.c.ns).Get(context.Background(), "milvus-root-2026", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if pw := string(s.Data["password"]); pw == "" || pw != rt.m.Password || len(s.Data) != 1 {
			t.Errorf("the new Secret does not hold Milvus's new password alone")
		}
		if old := rt.secretData(t); old["password"] != testPassword {
			t.Errorf("the old Secret changed")
		}
		r = Rotate(context.Background(), o)
		if err := r.Err(); err != nil || rt.m.Rotations != 1 || !strings.Contains(stepOf(r, "current password").Detail, "rotated before") {
			t.Errorf("rerun: %v, %d rotations, %q", err, rt.m.Rotations, stepOf(r, "current password").Detail)
		}
		noPasswords(t, r, testPassword, rt.m.Password)
	})

	t.Run("authentication off", func(t *testing.T) {
		rt := newRotation(t, map[string]string{"password": testPassword}, testPassword, nil)
		rt.tg.Auth = false
		if err := rt.run(t, "").Err(); err == nil || !strings.Contains(err.Error(), "authentication is off") {
			t.Fatalf("Err = %v", err)
		}
	})
}

// lostAnswer applies UpdateCredential and then loses the answer, as a
// dropped connection would.
type lostAnswer struct{ *milvustest.Server }

func (l *lostAnswer) UpdateCredential(ctx context.Context, req *milvuspb.UpdateCredentialRequest) (*commonpb.Status, error) {
	if st, err := l.Server.UpdateCredential(ctx, req); err != nil || check(st) != nil {
		return st, err
	}
	return nil, status.Error(codes.Unavailable, "connection reset by peer")
}
