package verify

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/milvus-io/milvus-proto/go-api/v2/milvuspb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// NewPasswordEnv holds the new root password for rotate-password.
const NewPasswordEnv = "MILVUSGEN_NEW_ROOT_PASSWORD"

// The password lengths Milvus accepts (proxy.minPasswordLength, and
// proxy.maxPasswordLength at bcrypt's limit of 72 bytes).
const (
	minPasswordLength = 6
	maxPasswordLength = 72
)

// PendingKey is the Secret key a new password is staged in before Milvus
// is asked to change it, so that an interrupted rotation never loses the
// password Milvus may already hold.
func PendingKey(key string) string { return key + ".pending" }

// RotateOptions say which password to set and how to reach Milvus.
type RotateOptions struct {
	Options
	// NewPassword is the password to set; empty: generate one.
	NewPassword string
	// NewFrom says where NewPassword came from, for the report.
	NewFrom string
	// FromSecret names the Secret holding the current password when the
	// tree names another (milvus.auth.rootPasswordSecret renamed); the
	// tree's Secret is created.
	FromSecret string
}

// CheckPassword says whether Milvus accepts p as a password, without
// printing it.
func CheckPassword(p string) error {
	if n := len(p); n < minPasswordLength || n > maxPasswordLength {
		return fmt.Errorf("the new password is %d bytes; Milvus accepts %d to %d", n, minPasswordLength, maxPasswordLength)
	}
	return nil
}

// Rotate changes Milvus's root password and the Secret the tree names for
// it, in an order that survives interruption at any point:
//
//  1. the new password is staged in the Secret (key PendingKey(key));
//  2. Milvus's UpdateCredential changes it, given the current one;
//  3. the Secret's key takes the new password and the staged key goes, in
//     one update;
//  4. the new password logs in.
//
// A rerun first finds out which password Milvus accepts: the Secret's (not
// changed yet: start again), the staged one (changed: finish the Secret),
// or the new one given (done before). Passwords are never printed.
func Rotate(ctx context.Context, o RotateOptions) *Report {
	t, k := o.Target, o.Kube
	r := &Report{Command: "rotate-password", Release: t.Release, Namespace: t.Namespace}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	run := r.runner(ctx, o.Timeout)

	what := fmt.Sprintf("Secret %s/%s", t.Namespace, t.PasswordSecret)
	// secret is the tree's Secret (nil: not created yet, with
	// --from-secret); current is the password Milvus had, from the tree's
	// Secret or the one --from-secret names; done is the tree's password
	// when it is another Secret's (a finished rename).
	var secret *corev1.Secret
	var current, currentWhat, pending, done string
	if run("Secret", func() (string, error) {
		switch {
		case !t.Auth:
			return "", errors.New("authentication is off in the tree (milvus.auth.enabled): Milvus has no root password to rotate")
		case k == nil:
			return "", fmt.Errorf("no cluster access: %v; rotate-password updates %s (--kubeconfig, --context)", o.KubeErr, what)
		}
		secrets := k.Client.CoreV1().Secrets(t.Namespace)
		s, err := secrets.Get(ctx, t.PasswordSecret, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) && o.FromSecret != "":
			s = nil
		case err != nil:
			return "", k.explain(err, "the root password "+what,
				"if milvus.auth.rootPasswordSecret was renamed, pass --from-secret with the Secret that holds the current password")
		}
		secret = s
		var detail string
		if o.FromSecret == "" || o.FromSecret == t.PasswordSecret {
			if len(s.Data[t.PasswordKey]) == 0 {
				return "", fmt.Errorf("%s has no key %q (it has %s); the spec's milvus.auth.rootPasswordSecret.key names it", what, t.PasswordKey, keyList(s.Data))
			}
			current = string(s.Data[t.PasswordKey])
			detail = what + " key " + t.PasswordKey
			currentWhat = "the Secret's password (key " + t.PasswordKey + ")"
		} else {
			fromWhat := fmt.Sprintf("Secret %s/%s", t.Namespace, o.FromSecret)
			from, err := secrets.Get(ctx, o.FromSecret, metav1.GetOptions{})
			if err != nil {
				return "", k.explain(err, "the --from-secret "+fromWhat, "")
			}
			if len(from.Data[t.PasswordKey]) == 0 {
				return "", fmt.Errorf("--from-secret %s has no key %q (it has %s)", fromWhat, t.PasswordKey, keyList(from.Data))
			}
			current = string(from.Data[t.PasswordKey])
			currentWhat = "the password of --from-secret " + fromWhat
			if s != nil {
				done = string(s.Data[t.PasswordKey])
			}
			detail = fmt.Sprintf("current password from %s key %s; the new one goes to %s", fromWhat, t.PasswordKey, what)
			if s == nil {
				detail += " (to be created)"
			}
		}
		if s != nil {
			pending = string(s.Data[PendingKey(t.PasswordKey)])
		}
		if pending != "" {
			detail += "; key " + PendingKey(t.PasswordKey) + " holds the password of an interrupted rotation"
		}
		return detail, nil
	}) != nil {
		return r
	}

	conn, stop, ok := reach(ctx, o.Options, r, run)
	defer stop()
	if !ok {
		return r
	}
	if run("TLS", func() (string, error) { return transport(ctx, o.Options, &conn) }) != nil {
		return r
	}

	// Which password does Milvus accept now?
	state := notYet
	var c *client
	var accepted string
	if run("current password", func() (string, error) {
		type candidate struct {
			state    rotationState
			pw, what string
		}
		candidates := []candidate{{notYet, current, currentWhat}}
		if pending != "" && pending != current {
			candidates = append(candidates, candidate{changed, pending,
				"the staged password (key " + PendingKey(t.PasswordKey) + "): Milvus changed it, the Secret is to follow"})
		}
		if done != "" && done != current && done != pending {
			candidates = append(candidates, candidate{finished, done, "the password of " + what + ": rotated before"})
		}
		if o.NewPassword != "" && o.NewPassword != current && o.NewPassword != pending && o.NewPassword != done {
			candidates = append(candidates, candidate{finished, o.NewPassword, "the new password from " + o.NewFrom + ": Milvus has it already"})
		}
		var tried []string
		for _, cand := range candidates {
			cc := conn
			cc.Password = cand.pw
			cl, err := dial(ctx, cc)
			if status.Code(err) == codes.Unauthenticated {
				tried = append(tried, cand.what)
				continue
			}
			if err != nil {
				return "", explainTLS(err, cc)
			}
			c, state, accepted = cl, cand.state, cand.pw
			return "Milvus accepts " + cand.what, nil
		}
		return "", fmt.Errorf("Milvus accepts none of: %s; nothing was changed. If root's password was changed by hand, put it in %s key %s and rerun",
			joinOr(tried), what, t.PasswordKey)
	}) != nil {
		return r
	}
	defer func() {
		if c != nil {
			c.Close()
		}
	}()

	next := o.NewPassword
	from := o.NewFrom
	switch {
	case state != notYet:
		next, from = accepted, "the password Milvus accepts"
	case state == notYet && next == "" && pending != "":
		// A generated password staged by an interrupted run: reuse it.
		next, from = pending, "the staged key "+PendingKey(t.PasswordKey)
	case state == notYet && next == "":
		next, from = rand.Text(), "generated (26 random base32 characters)"
	}
	if state == notYet && next == current {
		// The new password is the current one: rotated before.
		state = finished
	}
	if err := CheckPassword(next); state == notYet && err != nil {
		_ = run("new password", func() (string, error) { return "", fmt.Errorf("%s: %w", from, err) })
		return r
	}

	if state == notYet {
		if run("stage new password", func() (string, error) {
			s := stagedSecret(secret, t)
			s.Data[PendingKey(t.PasswordKey)] = []byte(next)
			updated, err := k.writeSecret(ctx, s)
			if err != nil {
				return "", err
			}
			secret = updated
			return fmt.Sprintf("%s key %s, from %s", what, PendingKey(t.PasswordKey), from), nil
		}) != nil {
			return r
		}
		if run("update credential", func() (string, error) {
			// Milvus decodes both passwords as base64 (crypto.Base64Decode).
			st, err := c.svc.UpdateCredential(ctx, &milvuspb.UpdateCredentialRequest{Username: RootUser,
				OldPassword: base64.StdEncoding.EncodeToString([]byte(current)),
				NewPassword: base64.StdEncoding.EncodeToString([]byte(next))})
			if err == nil {
				err = check(st)
			}
			if err != nil {
				return "", err
			}
			return "Milvus UpdateCredential for " + RootUser, nil
		}) != nil {
			return r
		}
	} else {
		r.skip("stage new password", "not needed: "+stateWhy(state))
		r.skip("update credential", "not needed: "+stateWhy(state))
	}
	c.Close()
	c = nil

	if run("update Secret", func() (string, error) {
		s := stagedSecret(secret, t)
		if string(s.Data[t.PasswordKey]) == next && s.Data[PendingKey(t.PasswordKey)] == nil {
			return what + " already holds it", nil
		}
		s.Data[t.PasswordKey] = []byte(next)
		delete(s.Data, PendingKey(t.PasswordKey))
		if _, err := k.writeSecret(ctx, s); err != nil {
			return "", fmt.Errorf("%w; Milvus has the new password: rerun rotate-password to finish (it finds out which password Milvus accepts)", err)
		}
		detail := fmt.Sprintf("%s key %s; pods reading it through the environment see it at their next start (Milvus itself reads it only when it first creates root)", what, t.PasswordKey)
		if o.NewPassword != "" && o.NewPassword != next {
			detail += "; this run finished an interrupted rotation, so the password from " + o.NewFrom + " was not set: rerun to set it"
		}
		return detail, nil
	}) != nil {
		return r
	}

	_ = run("login with new password", func() (string, error) {
		cc := conn
		cc.Password = next
		cl, err := dial(ctx, cc)
		if err != nil {
			return "", err
		}
		cl.Close()
		return "as " + RootUser, nil
	})
	return r
}

// rotationState is where a rotation stands, by the password Milvus
// accepts.
type rotationState int

const (
	notYet   rotationState = iota // the current one: nothing changed yet
	changed                       // the staged one: Milvus changed, the Secret not
	finished                      // the new one: rotated before
)

func stateWhy(state rotationState) string {
	if state == changed {
		return "Milvus accepts the staged password already"
	}
	return "Milvus accepts the new password already"
}

func joinOr(items []string) string {
	switch len(items) {
	case 0:
		return "no password"
	case 1:
		return items[0]
	}
	out := ""
	for i, s := range items {
		switch {
		case i == 0:
			out = s
		case i == len(items)-1:
			out += ", nor " + s
		default:
			out += ", " + s
		}
	}
	return out
}

// stagedSecret is a copy of the tree's Secret to write, or a new one when
// it does not exist yet (a renamed Secret).
func stagedSecret(s *corev1.Secret, t *Target) *corev1.Secret {
	if s == nil {
		return &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: t.PasswordSecret, Namespace: t.Namespace},
			Type: corev1.SecretTypeOpaque, Data: map[string][]byte{}}
	}
	s = s.DeepCopy()
	if s.Data == nil {
		s.Data = map[string][]byte{}
	}
	return s
}

// writeSecret creates s, or writes it back failing when it changed since
// it was read.
func (k *Kube) writeSecret(ctx context.Context, s *corev1.Secret) (*corev1.Secret, error) {
	secrets := k.Client.CoreV1().Secrets(s.Namespace)
	var out *corev1.Secret
	var err error
	if s.ResourceVersion == "" {
		out, err = secrets.Create(ctx, s, metav1.CreateOptions{})
	} else {
		out, err = secrets.Update(ctx, s, metav1.UpdateOptions{})
	}
	switch {
	case apierrors.IsConflict(err) || apierrors.IsAlreadyExists(err):
		return nil, fmt.Errorf("Secret %s/%s changed while rotate-password ran; rerun it (it finds out which password Milvus accepts)", s.Namespace, s.Name)
	case apierrors.IsForbidden(err):
		return nil, fmt.Errorf("updating Secret %s/%s is forbidden in context %q: %v", s.Namespace, s.Name, k.Context, apierrors.ReasonForError(err))
	case err != nil:
		return nil, k.explain(err, "Secret "+s.Namespace+"/"+s.Name, "")
	}
	return out, nil
}
