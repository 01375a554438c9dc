package auth

// SetComputeHook lets tests watch how many argon2 computations run at once.
func SetComputeHook(h *Hasher, f func(delta int)) { h.onCompute = f }
