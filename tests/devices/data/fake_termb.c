/* A stand-in for a "termb"-style vendor library (CVR_InitComm, CVR_Authenticate, CVR_Read_Content and
   field getters returning GB 18030 text). A card lies on it while the file FAKE_TERMB_CARD exists. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int opened = 0;

static int present(void) {
    const char *path = getenv("FAKE_TERMB_CARD");
    return path && access(path, F_OK) == 0;
}

int CVR_InitComm(int port) { opened = (port == 1001); return opened ? 1 : 0; }
int CVR_CloseComm(void) { opened = 0; return 1; }
int CVR_Authenticate(void) { return opened && present() ? 1 : 0; }
int CVR_Read_Content(int active) { (void)active; return present() ? 1 : 0; }

static int give(const char *value, unsigned char *out, int *len) {
    int n = (int)strlen(value);
    memcpy(out, value, (size_t)n + 1);
    *len = n;
    return 1;
}

/* 张三 in GB 18030 */
int GetPeopleName(unsigned char *out, int *len) { return give("\xd5\xc5\xc8\xfd", out, len); }
/* 男 */
int GetPeopleSex(unsigned char *out, int *len) { return give("\xc4\xd0", out, len); }
int GetPeopleIDCode(unsigned char *out, int *len) {
    const char *number = getenv("FAKE_TERMB_NUMBER");
    return give(number ? number : "", out, len);
}
