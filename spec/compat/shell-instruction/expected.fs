shell-flags f 0644 0:0 11 127e5a56f4fdef8c
via f 0644 0:0 12 559aada6071b8079
