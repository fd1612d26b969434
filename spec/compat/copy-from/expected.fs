from-image-passwd f 0644 0:0 82 7a8a6ad7d404fc76
from-index f 0644 0:0 6 56f6e6304d02d413
from-link f 0644 0:0 6 56f6e6304d02d413
from-name d 0755 0:0 
from-name/link l 0777 0:0 -> sub/file
from-name/sub d 0755 0:0 
from-name/sub/file f 0644 0:0 6 56f6e6304d02d413
