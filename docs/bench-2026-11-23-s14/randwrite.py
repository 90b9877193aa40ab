"""What a commit's fdatasync costs for scattered pages on this VM: 6,000 4 KiB pwrites at random
offsets of a 2.6 GB file, then fdatasync, against 6,000 contiguous ones. Run in build/."""
import os, random, time
fn = 'rwtest'
fd = os.open(fn, os.O_RDWR | os.O_CREAT)
os.ftruncate(fd, 2600 * 1024 * 1024)
buf = b'\1' * 4096
for trial in range(3):
    for kind, pages in (('random', sorted(random.sample(range(2600 * 256), 6000))),
                        ('sequential', range(100000 + trial * 6000, 106000 + trial * 6000))):
        t0 = time.time()
        for p in pages:
            os.pwrite(fd, buf, p * 4096)
        t1 = time.time()
        os.fdatasync(fd)
        t2 = time.time()
        print('6000 %s 4K pwrites %.3f s, fdatasync %.3f s' % (kind, t1 - t0, t2 - t1))
os.close(fd)
os.unlink(fn)
