/* Linked with every object of libtether.a (tests/features.sh): a call from
 * one feature's file into a feature that a switch left out fails the link
 * here, instead of in a user's build. */
int main(void)
{
    return 0;
}
