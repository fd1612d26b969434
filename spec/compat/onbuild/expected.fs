onb-env f 0644 0:0 2 4355a46b19d348dc
onbuilt f 0644 0:0 10 e561b28a834f81fd
trigger-copied f 0644 0:0 3 bbdf7b8c3cc5267c
