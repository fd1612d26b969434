custom-mode f 0644 0:0 7 8927a23743206f2f
len f 0644 0:0 3 9a92adbc0cee38ef
optional-ok f 0644 0:0 0 e3b0c44298fc1c14
run-list f 0644 0:0 36 bb0fbc215a7221f7
secret-mode f 0644 0:0 6 34068d95d007ae1e
