add-owned f 0644 65534:65534 2 092fcfbbcfca3b5b
mixed d 0755 65534:0 
mixed/deep d 0755 65534:0 
mixed/deep/g f 0644 65534:0 2 768c71d785bf6bbb
nameonly d 0755 65534:65534 
nameonly/f f 0644 65534:65534 2 092fcfbbcfca3b5b
names d 0755 65534:65534 
names/f f 0644 65534:65534 2 092fcfbbcfca3b5b
numeric d 0755 1234:5678 
numeric/g f 0644 1234:5678 2 768c71d785bf6bbb
