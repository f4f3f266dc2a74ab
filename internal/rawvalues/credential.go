package rawvalues

import (
	"strings"
	"unicode"
)

// credentialWords name a credential when they appear as a word of a key:
// rootPassword, auth_token, ADMIN_PASSWORD, apiKey, private-key. A word
// that only starts with one (tokenizer) is not one; a run-together word
// that ends with one (DEFAULTROOTPASSWORD) is.
var credentialWords = []string{"password", "passwd", "secret", "token", "credential", "apikey", "privatekey", "accesskey"}

// credentialPairs are two-word spellings of the same: api key, private
// key, access key (AWS_ACCESS_KEY_ID).
var credentialPairs = [][2]string{{"api", "key"}, {"private", "key"}, {"access", "key"}}

// referenceLast are last words that make a key a reference to a Secret
// rather than the credential: secretName, passwordSecretRef, secretKeyRef.
var referenceLast = map[string]bool{"name": true, "names": true, "ref": true, "refs": true}

// referenceBefore are words before a credential word that make it a
// reference: pullSecrets and imagePullSecrets (names of registry Secrets),
// existingSecret.
var referenceBefore = map[string]bool{"pull": true, "existing": true}

// Credential reports whether key names a credential, and the word that
// does. Words are split at '_', '-', '.', '/', spaces and camelCase
// boundaries (APIKey is api, key), compared without case and with a
// plural s.
func Credential(key string) (string, bool) {
	words := Words(key)
	if len(words) == 0 || referenceLast[words[len(words)-1]] {
		return "", false
	}
	for i, w := range words {
		if i+1 < len(words) {
			for _, p := range credentialPairs {
				if w == p[0] && strings.TrimSuffix(words[i+1], "s") == p[1] {
					return w + " " + words[i+1], true
				}
			}
		}
		w = strings.TrimSuffix(w, "s")
		for _, c := range credentialWords {
			if strings.HasSuffix(w, c) {
				if i > 0 && referenceBefore[words[i-1]] {
					break
				}
				return c, true
			}
		}
	}
	return "", false
}

// Words splits a key into lower-case words: at any rune that is not a
// letter or digit, and where camelCase changes case (rootPassword → root,
// password; APIKey → api, key; ADMIN_PASSWORD → admin, password).
func Words(key string) []string {
	var words []string
	rs := []rune(key)
	start := -1
	flush := func(end int) {
		if start >= 0 && end > start {
			words = append(words, strings.ToLower(string(rs[start:end])))
		}
		start = -1
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start < 0 {
			start = i
			continue
		}
		prev := rs[i-1]
		switch {
		case unicode.IsUpper(r) && unicode.IsLower(prev):
			flush(i) // rootPassword
			start = i
		case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
			flush(i) // APIKey: the K starts the next word
			start = i
		}
	}
	flush(len(rs))
	return words
}
