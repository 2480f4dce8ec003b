<?php
/**
 * The design recovery page, on the store: <home>/?luneo_recover=<token>.
 *
 * When an order arrives with a personalizable item but no design (the theme's own add-to-cart
 * button, a cart that dropped the design), Luneo e-mails the shopper a link to add it. The
 * editor keeps the shopper's work in progress in the browser's storage for the store's origin,
 * so the page opens here, on the store, where that draft is: the editor restores it and its
 * "Add to cart" attaches the design to the order line on Luneo (the recovery surface of the
 * token, called across origins; Luneo answers this store's origin only).
 *
 * The token in the link is the shopper's only credential: the page never puts it anywhere but
 * the calls to Luneo, sends no Referer, is never cached or indexed. Luneo checks the token first
 * (GET …/recover/<token>/context, server to server) and the page shows its refusal in words.
 *
 * @package LuneoPersonalizer
 */

defined( 'ABSPATH' ) || exit;

/**
 * The page, served before WordPress picks a template.
 */
class Luneo_Recovery {

	const QUERY = 'luneo_recover';

	/**
	 * What the page shows: the context Luneo answered, or the reason it cannot open.
	 *
	 * @var array
	 */
	private static $page = array();

	/**
	 * Hook the request.
	 */
	public static function init() {
		add_action( 'template_redirect', array( __CLASS__, 'serve' ), 0 );
	}

	/**
	 * The token of this request's link, '' when the request is not for the page, null when it
	 * is for the page but the token cannot be one (Luneo's tokens are URL-safe base64 and dots).
	 *
	 * @return string|null
	 */
	public static function token() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the signed token is the credential.
		if ( ! isset( $_GET[ self::QUERY ] ) || ! is_string( $_GET[ self::QUERY ] ) ) {
			return '';
		}
		$token = wp_unslash( $_GET[ self::QUERY ] ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended, WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- checked whole below.
		return 1 === preg_match( '/^[A-Za-z0-9_.-]{20,4096}$/', $token ) ? $token : null;
	}

	/**
	 * On a request for the page: answer it and stop.
	 */
	public static function serve() {
		$token = self::token();
		if ( '' === $token ) {
			return;
		}
		self::answer( $token );
		exit;
	}

	/**
	 * The page's whole answer: status, headers, the document.
	 *
	 * @param string|null $token The link's token (null: not a token at all).
	 */
	public static function answer( $token ) {
		$status = self::prepare( $token );
		if ( ! headers_sent() ) {
			status_header( $status );
			nocache_headers();
			header( 'Referrer-Policy: no-referrer' );
			header( 'X-Robots-Tag: noindex, nofollow' );
			header( 'X-Frame-Options: DENY' );
		}
		self::render();
	}

	/**
	 * Ask Luneo about the link and queue the page's scripts; the HTTP status to answer.
	 *
	 * @param string|null $token The link's token (null: not a token at all).
	 */
	public static function prepare( $token ) {
		$context = null === $token ? new WP_Error( 'luneo_http_404', '', array( 'code' => 'link_invalid' ) ) : Luneo_Api::recovery( $token );
		if ( is_wp_error( $context ) ) {
			$data       = $context->get_error_data();
			$status     = is_array( $data ) && isset( $data['status'] ) ? (int) $data['status'] : 0;
			$code       = is_array( $data ) && isset( $data['code'] ) ? $data['code'] : '';
			self::$page = array( 'message' => self::refusal( $code ) );
			add_filter( 'wp_robots', 'wp_robots_no_robots' );
			return in_array( $status, array( 404, 409, 410 ), true ) ? $status : ( null === $token ? 404 : 503 );
		}
		$base       = Luneo_Api::recovery_base( $token );
		$config     = array_merge(
			Luneo_Product::editor_config(),
			array(
				'platform'  => 'woocommerce',
				'apiBase'   => $base,
				'attachUrl' => $base . '/attach',
				'productId' => isset( $context['productId'] ) ? (string) $context['productId'] : '',
				'variantId' => isset( $context['variantId'] ) ? (string) $context['variantId'] : '',
				'cart'      => array( 'adapter' => 'recovery' ),
				'label'     => __( 'Add your design', 'luneo-personalizer' ),
			)
		);
		self::$page = array(
			'shop'   => isset( $context['shop'] ) ? (string) $context['shop'] : '',
			'order'  => isset( $context['order'] ) ? (string) $context['order'] : '',
			'item'   => isset( $context['item'] ) ? (string) $context['item'] : '',
			'config' => $config,
		);
		add_filter( 'wp_robots', 'wp_robots_no_robots' );
		add_filter( 'pre_get_document_title', array( __CLASS__, 'title' ) );
		wp_enqueue_script( 'luneo-recovery', Luneo_Product::asset_url( Luneo_Product::ASSETS['recovery'] ), array(), LUNEO_PERSONALIZER_VERSION, array( 'strategy' => 'defer' ) );
		Luneo_Product::enqueue_loader();
		return 200;
	}

	/**
	 * The page's title (the theme prints it when it supports the title tag).
	 */
	public static function title() {
		return __( 'Add your design', 'luneo-personalizer' );
	}

	/**
	 * Why a link does not open, in the store's language (Luneo's error codes).
	 *
	 * @param string $code Luneo's error code.
	 */
	public static function refusal( $code ) {
		switch ( $code ) {
			case 'link_invalid':
				return __( 'This link is not valid. Check that you opened all of it.', 'luneo-personalizer' );
			case 'link_expired':
				return __( 'This link has expired. Contact the store to add your design.', 'luneo-personalizer' );
			case 'already_added':
				return __( 'Your design was added to this order already. Thank you!', 'luneo-personalizer' );
			case 'order_closed':
			case 'not_needed':
				return __( 'This order no longer needs a design.', 'luneo-personalizer' );
			default:
				return __( 'This page cannot open right now. Please try again in a few minutes.', 'luneo-personalizer' );
		}
	}

	/**
	 * The page: a document of its own (any theme, classic or block), with the theme's head.
	 */
	public static function render() {
		$page  = self::$page;
		$title = __( 'Add your design', 'luneo-personalizer' );
		?>
<!doctype html>
<html <?php language_attributes(); ?>>
<head>
<meta charset="<?php bloginfo( 'charset' ); ?>">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
		<?php if ( ! current_theme_supports( 'title-tag' ) ) : ?>
<title><?php echo esc_html( $title ); ?></title>
		<?php endif; ?>
		<?php wp_head(); ?>
</head>
<body <?php body_class( 'luneo-recovery' ); ?>>
<main id="main" class="luneo-recovery__page" data-recovery>
		<?php if ( isset( $page['config'] ) ) : ?>
	<p class="luneo-recovery__meta">
			<?php
			/* translators: 1: the store's name, 2: the order's name (e.g. #1001). */
			echo esc_html( sprintf( __( '%1$s · order %2$s', 'luneo-personalizer' ), $page['shop'], $page['order'] ) );
			?>
	</p>
	<h1>
			<?php
			/* translators: %s: the ordered item's name. */
			echo esc_html( sprintf( __( 'Add your design to “%s”', 'luneo-personalizer' ), '' !== $page['item'] ? $page['item'] : __( 'your item', 'luneo-personalizer' ) ) );
			?>
	</h1>
	<div data-recovery-open>
		<p><?php esc_html_e( 'Your order arrived without the design for this item. Make it here (a design you started in this browser opens again), then choose Add to cart: it is added to your order and we start making your item.', 'luneo-personalizer' ); ?></p>
			<?php echo Luneo_Product::root_html( $page['config'], __( 'Turn on JavaScript in your browser to add your design.', 'luneo-personalizer' ) ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- root_html escapes its parts. ?>
	</div>
	<div data-recovery-done hidden role="status">
		<h2><?php esc_html_e( 'Thank you!', 'luneo-personalizer' ); ?></h2>
		<p>
			<?php
			/* translators: %s: the order's name (e.g. #1001). */
			echo esc_html( sprintf( __( 'Your design was added to order %s. You can close this page.', 'luneo-personalizer' ), $page['order'] ) );
			?>
		</p>
	</div>
		<?php else : ?>
	<h1><?php echo esc_html( $title ); ?></h1>
	<p data-recovery-refused><?php echo esc_html( $page['message'] ); ?></p>
		<?php endif; ?>
	<p><a href="<?php echo esc_url( home_url( '/' ) ); ?>"><?php esc_html_e( 'Back to the store', 'luneo-personalizer' ); ?></a></p>
</main>
		<?php wp_footer(); ?>
</body>
</html>
		<?php
	}
}
